// The built-in layers, by Keras class name.
#include "layers/activation.h"
#include "layers/activity_regularization.h"
#include "layers/advanced_activations.h"
#include "layers/dense.h"
#include "layers/dropout.h"
#include "layers/input_layer.h"
#include "layers/merge.h"
#include "layers/noise.h"
#include "layers/normalization.h"
#include "layers/preprocessing_normalization.h"
#include "layers/rescaling.h"
#include "layers/reshaping.h"
#include "layers/unit_normalization.h"

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
    r->add("UnitNormalization", UnitNormalization::from_config);
    r->add("Normalization", Normalization::from_config);
    r->add("Rescaling", Rescaling::from_config);
    r->add("Reshape", Reshape::from_config);
    r->add("Permute", Permute::from_config);
    r->add("RepeatVector", RepeatVector::from_config);
    r->add("ReLU", ReLU::from_config);
    r->add("PReLU", PReLU::from_config);
    r->add("ELU", ELU::from_config);
    r->add("Softmax", Softmax::from_config);
    r->add("GaussianNoise", GaussianNoise::from_config);
    r->add("GaussianDropout", GaussianDropout::from_config);
    r->add("AlphaDropout", AlphaDropout::from_config);
    r->add("ActivityRegularization", ActivityRegularization::from_config);
    r->add("Add", Add::from_config);
    r->add("Subtract", Subtract::from_config);
    r->add("Multiply", Multiply::from_config);
    r->add("Average", Average::from_config);
    r->add("Maximum", Maximum::from_config);
    r->add("Minimum", Minimum::from_config);
    r->add("Concatenate", Concatenate::from_config);
    return r;
  }();
  return *r;
}

}  // namespace nabla
