// Activation layers with arguments or weights of their own: ReLU, ELU, PReLU, Softmax (Keras's
// "advanced activations"; Activation and LeakyReLU are in activation.h).
#pragma once

#include <optional>
#include <vector>

#include "framework/core/options.h"
#include "layers/layer.h"

namespace nabla {

/// Arguments of ReLU, as in Keras.
struct ReLUOptions {
  /// The largest output; none (std::nullopt) for no limit.
  NABLA_ARG(std::optional<double>, max_value) = std::nullopt;
  /// The slope below the threshold.
  NABLA_ARG(double, negative_slope) = 0.0;
  /// Inputs above it pass; below it the output is negative_slope * (x - threshold).
  NABLA_ARG(double, threshold) = 0.0;
};

/// Keras's ReLU layer: min(x, max_value) for x > threshold, else negative_slope * (x - threshold).
/// Every argument must be >= 0, as in Keras. No weights.
class ReLU : public LayerOf<ReLU> {
 public:
  explicit ReLU(ReLUOptions options = {}, std::string name = "");
  std::string class_name() const override { return "ReLU"; }
  Tensor call(const Tensor& x, CallContext& ctx) override;
  nlohmann::json get_config() const override;
  static LayerPtr from_config(const nlohmann::json& config);
  const ReLUOptions& options() const { return o_; }

 private:
  ReLUOptions o_;
};

/// Keras's ELU layer: x for x > 0, alpha (exp(x) - 1) otherwise. No weights.
class ELU : public LayerOf<ELU> {
 public:
  explicit ELU(double alpha = 1.0, std::string name = "");
  std::string class_name() const override { return "ELU"; }
  Tensor call(const Tensor& x, CallContext& ctx) override;
  nlohmann::json get_config() const override;
  static LayerPtr from_config(const nlohmann::json& config);
  double alpha() const { return alpha_; }

 private:
  double alpha_;
};

/// Arguments of PReLU, as in Keras.
struct PReLUOptions {
  NABLA_ARG(Initializer, alpha_initializer) = Initializer("zeros");
  NABLA_ARG(RegularizerPtr, alpha_regularizer) = nullptr;
  /// Axes (1-based, the batch is 0) along which one slope is shared: alpha has size 1 there.
  NABLA_ARG(std::vector<int64_t>, shared_axes) = {};
};

/// Keras's PReLU: x for x > 0, alpha * x otherwise, with a learned slope per element of the input
/// (without the batch axis), shared along `shared_axes`. Weight: "alpha", of the input's shape
/// without the batch axis, 1 on the shared axes.
class PReLU : public LayerOf<PReLU> {
 public:
  explicit PReLU(PReLUOptions options = {}, std::string name = "");
  std::string class_name() const override { return "PReLU"; }
  void build(const Shape& input_shape) override;
  Tensor call(const Tensor& x, CallContext& ctx) override;
  nlohmann::json get_config() const override;
  static LayerPtr from_config(const nlohmann::json& config);
  /// The slopes (valid once built).
  const Variable& alpha() const { return alpha_; }

 private:
  PReLUOptions o_;
  Variable alpha_;
};

/// Keras's Softmax layer: exp(x) / sum(exp(x)) along `axis` (or several axes at once). No
/// weights.
class Softmax : public LayerOf<Softmax> {
 public:
  explicit Softmax(int64_t axis = -1, std::string name = "");
  explicit Softmax(std::vector<int64_t> axes, std::string name = "");
  std::string class_name() const override { return "Softmax"; }
  void build(const Shape& input_shape) override;
  Tensor call(const Tensor& x, CallContext& ctx) override;
  nlohmann::json get_config() const override;
  static LayerPtr from_config(const nlohmann::json& config);

 private:
  std::vector<int64_t> axes_;
  bool list_;  // written back as a list, as it was given
};

}  // namespace nabla
