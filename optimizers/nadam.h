// Nadam: Adam with Nesterov momentum, as Keras 3's Nadam.
#pragma once

#include <string>
#include <vector>

#include "optimizers/optimizer.h"

namespace nabla {

/// Arguments of Nadam, with Keras 3's defaults.
struct NadamOptions {
  /// Keras's defaults, with `learning_rate`.
  explicit NadamOptions(double learning_rate = 0.001) { learning_rate_ = learning_rate; }
  NABLA_OPTIMIZER_ARGS;
  /// Decay rate of the running mean of the gradients (first moment).
  NABLA_ARG(double, beta_1) = 0.9;
  /// Decay rate of the running mean of the squared gradients (second moment).
  NABLA_ARG(double, beta_2) = 0.999;
  /// Added to the denominator's square root, for numerical stability.
  NABLA_ARG(double, epsilon) = 1e-7;
};

/// Nadam (Keras 3's). At step t = iterations + 1, with learning rate lr:
///   u_t = beta_1 * (1 - 0.5 * 0.96^t);  u_t1 = beta_1 * (1 - 0.5 * 0.96^(t + 1))
///   u_product = u_product * u_t                       (once per step; u_product starts at 1)
/// then per element:
///   m = m + (g - m) * (1 - beta_1);  v = v + (g^2 - v) * (1 - beta_2)
///   m_hat = u_t1 * m / (1 - u_product * u_t1) + (1 - u_t) * g / (1 - u_product)
///   v_hat = v / (1 - beta_2^t)
///   w = w - lr * m_hat / (sqrt(v_hat) + epsilon)
/// Slots "momentum" (m) and "velocity" (v), initially 0; u_product is one scalar variable
/// ("<name>/u_product", of the first updated variable's dtype) listed last in variables().
/// With weight_decay, first w = w - w * weight_decay * lr.
class Nadam : public Optimizer {
 public:
  explicit Nadam(double learning_rate = 0.001);
  explicit Nadam(const NadamOptions& options);

  std::string class_name() const override { return "Nadam"; }
  /// base_config() plus "beta_1", "beta_2" and "epsilon".
  nlohmann::json get_config() const override;
  /// From the "config" object of a Keras Nadam config.
  static OptimizerPtr from_config(const nlohmann::json& config);
  /// The Nadam arguments.
  const NadamOptions& nadam_options() const { return nadam_; }
  /// The product of the momentum schedule so far (undefined before the first update).
  const Variable& u_product() const { return u_product_; }

 protected:
  std::vector<std::string> slot_names() const override { return {"momentum", "velocity"}; }
  /// The op reads the u_product of the previous step and multiplies in u_t itself.
  Tensor update(const Variable& variable, const Tensor& grad, const VariableList& slots,
                const Tensor& lr, const Tensor& iterations) override;
  /// Advances u_product by u_t, after the updates have read it.
  Tensor finish_step(const Tensor& iterations) override;

 private:
  NadamOptions nadam_;
  Variable u_product_;
};

}  // namespace nabla
