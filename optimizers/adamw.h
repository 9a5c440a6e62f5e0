// AdamW: Adam with decoupled weight decay on by default, as Keras 3's AdamW.
#pragma once

#include <string>

#include "optimizers/adam.h"

namespace nabla {

/// Arguments of AdamW: those of Adam, with weight_decay 0.004 unless set.
struct AdamWOptions {
  /// Keras's defaults, with `learning_rate`.
  explicit AdamWOptions(double learning_rate = 0.001) {
    learning_rate_ = learning_rate, weight_decay_ = 0.004;
  }
  NABLA_OPTIMIZER_ARGS;
  NABLA_ADAM_ARGS;
};

/// AdamW (Keras 3's): before each Adam step (see adam.h),
///   w = w - w * weight_decay * lr
/// decoupled from the gradient, so the decay is not rescaled by the second moment as an L2
/// penalty in the loss would be. Same slots as Adam.
class AdamW : public Adam {
 public:
  explicit AdamW(double learning_rate = 0.001);
  /// ValueError when weight_decay is unset (a config's null).
  explicit AdamW(const AdamWOptions& options);

  std::string class_name() const override { return "AdamW"; }
  /// From the "config" object of a Keras AdamW config.
  static OptimizerPtr from_config(const nlohmann::json& config);
};

}  // namespace nabla
