// MeanSquaredError: the mean of squared errors over the last axis.
#pragma once

#include <string>

#include "losses/loss.h"

namespace nabla {

/// Keras's MeanSquaredError. Per sample: mean((y_true - y_pred)^2) over the last axis.
class MeanSquaredError : public Loss {
 public:
  explicit MeanSquaredError(std::string name = "mean_squared_error") : Loss(std::move(name)) {}
  /// "MeanSquaredError".
  std::string class_name() const override { return "MeanSquaredError"; }
  /// The per-sample losses; y_true is cast to y_pred's dtype and ranks are aligned as in Keras.
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
};

}  // namespace nabla
