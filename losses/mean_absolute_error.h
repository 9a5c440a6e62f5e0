// MeanAbsoluteError: the mean of absolute errors over the last axis.
#pragma once

#include <string>

#include "losses/loss.h"

namespace nabla {

/// Keras's MeanAbsoluteError. Per sample: mean(|y_true - y_pred|) over the last axis.
class MeanAbsoluteError : public Loss {
 public:
  explicit MeanAbsoluteError(std::string name = "mean_absolute_error") : Loss(std::move(name)) {}
  /// "MeanAbsoluteError".
  std::string class_name() const override { return "MeanAbsoluteError"; }
  /// The per-sample losses; y_true is cast to y_pred's dtype and ranks are aligned as in Keras.
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
};

}  // namespace nabla
