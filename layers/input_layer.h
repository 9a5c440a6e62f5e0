// InputLayer: declares the shape of a model's input.
#pragma once

#include "layers/layer.h"

namespace nabla {

/// Keras's InputLayer: no weights, passes its input through; the model's first layer, giving the
/// input shape (without the batch axis): `Input({784})`.
class InputLayer : public LayerOf<InputLayer> {
 public:
  /// `shape` excludes the batch axis.
  explicit InputLayer(const Shape& shape, std::string name = "");
  std::string class_name() const override { return "InputLayer"; }
  Tensor call(const Tensor& x, CallContext&) override { return x; }
  nlohmann::json get_config() const override;
  static LayerPtr from_config(const nlohmann::json& config);
  /// The Keras tensor this input stands for, to build a functional model from:
  /// `Tensor x = Input({784}, "pixels");` (one tensor per InputLayer, however often asked).
  operator Tensor() const;  // NOLINT: implicit by design
};

/// Keras's Input(shape): an InputLayer for inputs of `shape` (without the batch axis). It is the
/// first element of a Sequential list, or, as a Tensor, the input of a functional Model.
inline InputLayer Input(const Shape& shape, std::string name = "") {
  return InputLayer(shape, std::move(name));
}

}  // namespace nabla
