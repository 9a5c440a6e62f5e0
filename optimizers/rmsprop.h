// RMSprop, as Keras 3's RMSprop.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "optimizers/optimizer.h"

namespace nabla {

/// Arguments of RMSprop, with Keras 3's defaults: `RMSprop(RMSpropOptions().centered(true))`.
struct RMSpropOptions {
  /// Keras's defaults, with `learning_rate`.
  explicit RMSpropOptions(double learning_rate = 0.001) { learning_rate_ = learning_rate; }
  NABLA_OPTIMIZER_ARGS;
  /// Decay rate of the running mean of the squared gradients.
  NABLA_ARG(double, rho) = 0.9;
  /// Momentum factor of the steps; 0 keeps no momentum slot.
  NABLA_ARG(double, momentum) = 0.0;
  /// Added under the square root, for numerical stability.
  NABLA_ARG(double, epsilon) = 1e-7;
  /// Divide by an estimate of the gradients' variance rather than their second moment.
  NABLA_ARG(bool, centered) = false;
};

/// RMSprop (Keras 3's). Per element, with learning rate lr:
///   vel = rho * vel + (1 - rho) * g^2
///   avg = rho * avg + (1 - rho) * g                            (centered only)
///   inc = lr * g / sqrt(centered ? vel - avg^2 + epsilon : vel + epsilon)
///   mom = momentum * mom + inc;  w = w - mom                   (momentum > 0)
///   w = w - inc                                                (momentum == 0)
/// Slots "velocity" (vel), "momentum" (mom, when momentum > 0) and "average_gradient" (avg,
/// when centered), initially 0. With weight_decay, first w = w - w * weight_decay * lr.
class RMSprop : public Optimizer {
 public:
  explicit RMSprop(double learning_rate = 0.001);
  explicit RMSprop(const RMSpropOptions& options);

  std::string class_name() const override { return "RMSprop"; }
  /// base_config() plus "rho", "momentum", "epsilon" and "centered".
  nlohmann::json get_config() const override;
  /// From the "config" object of a Keras RMSprop config.
  static OptimizerPtr from_config(const nlohmann::json& config);
  /// The RMSprop arguments.
  const RMSpropOptions& rmsprop_options() const { return rms_; }

 protected:
  std::vector<std::string> slot_names() const override;
  std::vector<std::vector<std::string>> keras_slot_groups() const override;
  Tensor update(const Variable& variable, const Tensor& grad, const VariableList& slots,
                const Tensor& lr, const Tensor& iterations) override;

 private:
  RMSpropOptions rms_;
};

}  // namespace nabla
