// LogCosh: log(cosh(error)), quadratic for small errors and linear for large ones.
#pragma once

#include <string>

#include "losses/loss.h"

namespace nabla {

/// Keras's LogCosh. Per sample: mean(log(cosh(y_pred - y_true))) over the last axis, computed as
/// x + softplus(-2x) - log(2) so that cosh never overflows.
class LogCosh : public Loss {
 public:
  explicit LogCosh(std::string name = "log_cosh") : Loss(std::move(name)) {}
  /// "LogCosh".
  std::string class_name() const override { return "LogCosh"; }
  /// The per-sample losses; y_true is cast to y_pred's dtype and ranks are aligned as in Keras.
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
};

}  // namespace nabla
