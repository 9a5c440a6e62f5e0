// SGD: gradient descent with optional (Nesterov) momentum, as Keras 3's SGD.
#pragma once

#include <string>
#include <vector>

#include "optimizers/optimizer.h"

namespace nabla {

/// Arguments of SGD, with Keras 3's defaults: `SGD(SGDOptions(0.1).momentum(0.9))`.
struct SGDOptions {
  /// Keras's defaults, with `learning_rate`.
  explicit SGDOptions(double learning_rate = 0.01) { learning_rate_ = learning_rate; }
  NABLA_OPTIMIZER_ARGS;
  /// Momentum factor in [0, 1]; 0 is plain gradient descent, which keeps no slot.
  NABLA_ARG(double, momentum) = 0.0;
  /// Nesterov momentum: the step looks ahead along the updated momentum.
  NABLA_ARG(bool, nesterov) = false;
};

/// Stochastic gradient descent (Keras 3's SGD). Per element, with learning rate lr:
///   momentum == 0:  w = w - lr * g
///   momentum:       m = momentum * m - lr * g;  w = w + m
///   nesterov:       m = momentum * m - lr * g;  w = w + momentum * m - lr * g
/// Slot "momentum" (m, initially 0), made only when momentum != 0. With weight_decay, first
/// w = w - w * weight_decay * lr.
class SGD : public Optimizer {
 public:
  explicit SGD(double learning_rate = 0.01);
  /// ValueError when momentum is outside [0, 1].
  explicit SGD(const SGDOptions& options);

  std::string class_name() const override { return "SGD"; }
  /// base_config() plus "momentum" and "nesterov".
  nlohmann::json get_config() const override;
  /// From the "config" object of a Keras SGD config.
  static OptimizerPtr from_config(const nlohmann::json& config);
  /// The SGD arguments.
  const SGDOptions& sgd_options() const { return sgd_; }

 protected:
  std::vector<std::string> slot_names() const override;
  Tensor update(const Variable& variable, const Tensor& grad, const VariableList& slots,
                const Tensor& lr, const Tensor& iterations) override;

 private:
  SGDOptions sgd_;
};

}  // namespace nabla
