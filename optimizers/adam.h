// Adam (and the arguments AdamW shares), as Keras 3's Adam.
#pragma once

#include <string>
#include <vector>

#include "optimizers/optimizer.h"

namespace nabla {

namespace detail {
class ConfigReader;
}

// Declares Adam's own arguments with Keras 3's defaults, shared by AdamOptions and AdamWOptions:
//   beta_1   decay rate of the running mean of the gradients (first moment)
//   beta_2   decay rate of the running mean of the squared gradients (second moment)
//   epsilon  added to the denominator's square root, for numerical stability
//   amsgrad  divide by the largest second moment seen so far (AMSGrad) instead of the current one
#define NABLA_ADAM_ARGS              \
  NABLA_ARG(double, beta_1) = 0.9;   \
  NABLA_ARG(double, beta_2) = 0.999; \
  NABLA_ARG(double, epsilon) = 1e-7; \
  NABLA_ARG(bool, amsgrad) = false

/// Arguments of Adam: `Adam(AdamOptions(1e-3).beta_1(0.9).amsgrad(true).clipnorm(1.0))`.
struct AdamOptions {
  /// Keras's defaults, with `learning_rate`.
  explicit AdamOptions(double learning_rate = 0.001) { learning_rate_ = learning_rate; }
  NABLA_OPTIMIZER_ARGS;
  NABLA_ADAM_ARGS;
};

/// Adam (Keras 3's). Per element, at step t = iterations + 1, with learning rate lr:
///   alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)
///   m = m + (g - m) * (1 - beta_1)
///   v = v + (g^2 - v) * (1 - beta_2)
///   v_hat = max(v_hat, v)                                  (amsgrad only)
///   w = w - m * alpha / (sqrt(amsgrad ? v_hat : v) + epsilon)
/// Slots "momentum" (m), "velocity" (v) and, with amsgrad, "velocity_hat" (v_hat), initially
/// 0. With weight_decay, first w = w - w * weight_decay * lr.
class Adam : public Optimizer {
 public:
  explicit Adam(double learning_rate = 0.001);
  explicit Adam(const AdamOptions& options);

  std::string class_name() const override { return "Adam"; }
  /// base_config() plus "beta_1", "beta_2", "epsilon" and "amsgrad".
  nlohmann::json get_config() const override;
  /// From the "config" object of a Keras Adam config.
  static OptimizerPtr from_config(const nlohmann::json& config);
  /// The Adam arguments.
  const AdamOptions& adam_options() const { return adam_; }

 protected:
  /// An Adam named `name` (AdamW's default name differs).
  Adam(const std::string& name, const AdamOptions& options);
  /// Reads the Adam arguments of a config into `options`, whose values are the defaults.
  template <class Options>
  static void read_adam_args(detail::ConfigReader& reader, Options& options);
  std::vector<std::string> slot_names() const override;
  std::vector<std::vector<std::string>> keras_slot_groups() const override;
  Tensor update(const Variable& variable, const Tensor& grad, const VariableList& slots,
                const Tensor& lr, const Tensor& iterations) override;

 private:
  AdamOptions adam_;
};

}  // namespace nabla
