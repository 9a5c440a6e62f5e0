// The built-in layers, by Keras class name.
#include "layers/activation.h"
#include "layers/dense.h"
#include "layers/dropout.h"
#include "layers/input_layer.h"
#include "layers/normalization.h"

namespace nabla {

LayerRegistry::LayerRegistry() {
  add("InputLayer", InputLayer::from_config);
  add("Dense", Dense::from_config);
  add("Activation", Activation::from_config);
  add("LeakyReLU", LeakyReLU::from_config);
  add("Dropout", Dropout::from_config);
  add("Flatten", Flatten::from_config);
  add("BatchNormalization", BatchNormalization::from_config);
  add("LayerNormalization", LayerNormalization::from_config);
}

}  // namespace nabla
