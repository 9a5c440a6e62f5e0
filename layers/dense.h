// Dense: the densely-connected layer, output = activation(x · kernel + bias).
#pragma once

#include "framework/core/options.h"
#include "layers/activations.h"
#include "layers/layer.h"

namespace nabla {

/// Arguments of Dense, as in Keras.
struct DenseOptions {
  explicit DenseOptions(int64_t units = 0) : units_(units) {}
  /// Size of the output (last) axis.
  NABLA_ARG(int64_t, units);
  /// Applied to x · kernel + bias; "linear" for none.
  NABLA_ARG(ActivationFn, activation) = ActivationFn("linear");
  /// Whether to add a bias.
  NABLA_ARG(bool, use_bias) = true;
  NABLA_ARG(Initializer, kernel_initializer) = Initializer("glorot_uniform");
  NABLA_ARG(Initializer, bias_initializer) = Initializer("zeros");
  NABLA_ARG(RegularizerPtr, kernel_regularizer) = nullptr;
  NABLA_ARG(RegularizerPtr, bias_regularizer) = nullptr;
  /// A penalty on the layer's output, added to the loss in training.
  NABLA_ARG(RegularizerPtr, activity_regularizer) = nullptr;
  /// For a first layer: the input shape without the batch axis (Keras's input_shape).
  NABLA_ARG(Shape, input_shape) = Shape();
};

/// `activation(x · kernel + bias)`, with kernel of shape [input_dim, units] and bias [units],
/// named "<name>/kernel" and "<name>/bias". Inputs of rank > 2 are multiplied along their last
/// axis. Keras's Dense, one to one:
///
///     Dense(64, "relu")
///     Dense(DenseOptions(10).use_bias(false).kernel_initializer("he_normal"))
class Dense : public LayerOf<Dense> {
 public:
  Dense(int64_t units, ActivationFn activation = "linear", std::string name = "");
  explicit Dense(DenseOptions options, std::string name = "");

  std::string class_name() const override { return "Dense"; }
  void build(const Shape& input_shape) override;
  Tensor call(const Tensor& x, CallContext& ctx) override;
  Shape compute_output_shape(const Shape& input_shape) const override;
  nlohmann::json get_config() const override;
  int keras_major() const override { return options_.activation().keras_major(); }
  static LayerPtr from_config(const nlohmann::json& config);

  const DenseOptions& options() const { return options_; }
  /// The kernel [input_dim, units] (valid once built).
  const Variable& kernel() const { return kernel_; }
  /// The bias [units] (undefined without use_bias).
  const Variable& bias() const { return bias_; }

 private:
  DenseOptions options_;
  Variable kernel_, bias_;
};

}  // namespace nabla
