// MeanAbsolutePercentageError: the mean absolute error relative to the labels, in percent.
#pragma once

#include <string>

#include "losses/loss.h"

namespace nabla {

/// Keras's MeanAbsolutePercentageError. Per sample: 100 * mean(|(y_true - y_pred) / max(|y_true|,
/// 1e-7)|) over the last axis; the epsilon keeps zero labels from dividing by zero.
class MeanAbsolutePercentageError : public Loss {
 public:
  explicit MeanAbsolutePercentageError(std::string name = "mean_absolute_percentage_error")
      : Loss(std::move(name)) {}
  /// "MeanAbsolutePercentageError".
  std::string class_name() const override { return "MeanAbsolutePercentageError"; }
  /// The per-sample losses; y_true is cast to y_pred's dtype and ranks are aligned as in Keras.
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
};

}  // namespace nabla
