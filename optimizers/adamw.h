// AdamW: Adam with decoupled weight decay on by default, as Keras 3's AdamW.
#pragma once

#include <string>

#include "optimizers/adam.h"

namespace nabla {

/// Arguments of AdamW: those of Adam, with weight_decay 0.004 unless set.
class AdamWOptions : public AdamFamilyOptions<AdamWOptions> {
 public:
  explicit AdamWOptions(double learning_rate = 0.001) {
    this->learning_rate(learning_rate).weight_decay(0.004);
  }
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
