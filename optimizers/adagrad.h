// Adagrad, as Keras 3's Adagrad.
#pragma once

#include <string>
#include <vector>

#include "optimizers/optimizer.h"

namespace nabla {

/// Arguments of Adagrad, with Keras 3's defaults.
struct AdagradOptions {
  /// Keras's defaults, with `learning_rate`.
  explicit AdagradOptions(double learning_rate = 0.001) { learning_rate_ = learning_rate; }
  NABLA_OPTIMIZER_ARGS;
  /// The starting value of every accumulator (> 0 keeps the first steps finite).
  NABLA_ARG(double, initial_accumulator_value) = 0.1;
  /// Added under the square root, for numerical stability.
  NABLA_ARG(double, epsilon) = 1e-7;
};

/// Adagrad (Keras 3's): each element's step shrinks with the sum of its squared gradients.
/// Per element, with learning rate lr:
///   acc = acc + g^2
///   w = w - lr * g / sqrt(acc + epsilon)
/// Slot "accumulator" (acc), initially initial_accumulator_value. With weight_decay, first
/// w = w - w * weight_decay * lr.
class Adagrad : public Optimizer {
 public:
  explicit Adagrad(double learning_rate = 0.001);
  explicit Adagrad(const AdagradOptions& options);

  std::string class_name() const override { return "Adagrad"; }
  /// base_config() plus "initial_accumulator_value" and "epsilon".
  nlohmann::json get_config() const override;
  /// From the "config" object of a Keras Adagrad config.
  static OptimizerPtr from_config(const nlohmann::json& config);
  /// The Adagrad arguments.
  const AdagradOptions& adagrad_options() const { return adagrad_; }

 protected:
  std::vector<std::string> slot_names() const override { return {"accumulator"}; }
  double slot_initial_value(const std::string& slot) const override;
  Tensor update(const Variable& variable, const Tensor& grad, const VariableList& slots,
                const Tensor& lr, const Tensor& iterations) override;

 private:
  AdagradOptions adagrad_;
};

}  // namespace nabla
