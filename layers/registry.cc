// The built-in layers, by Keras class name.
#include "layers/activation.h"
#include "layers/dense.h"
#include "layers/dropout.h"
#include "layers/input_layer.h"
#include "layers/normalization.h"

namespace nabla {

template <>
LayerRegistry& LayerRegistry::global() {
  // Never destroyed, so that lookups stay valid during static destruction.
  static LayerRegistry* r = [] {
    auto* r = new LayerRegistry("layer class");
    r->add("InputLayer", InputLayer::from_config);
    r->add("Dense", Dense::from_config);
    r->add("Activation", Activation::from_config);
    r->add("LeakyReLU", LeakyReLU::from_config);
    r->add("Dropout", Dropout::from_config);
    r->add("Flatten", Flatten::from_config);
    r->add("BatchNormalization", BatchNormalization::from_config);
    r->add("LayerNormalization", LayerNormalization::from_config);
    return r;
  }();
  return *r;
}

}  // namespace nabla
