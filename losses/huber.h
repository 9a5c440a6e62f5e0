// Huber: squared error for small errors, absolute error beyond `delta`.
#pragma once

#include <string>

#include "losses/options.h"

namespace nabla {

/// Keras's Huber. With e = y_pred - y_true, per element
///
///     0.5 e^2                        if |e| <= delta
///     delta |e| - 0.5 delta^2        otherwise
///
/// and per sample the mean over the last axis. Its gradient is e clipped to [-delta, delta].
class Huber : public LossWithOptions<HuberOptions> {
 public:
  explicit Huber(HuberOptions options = {}, std::string name = "huber_loss")
      : LossWithOptions(std::move(name), options) {}
  /// "Huber".
  std::string class_name() const override { return "Huber"; }
  /// The per-sample losses; y_true is cast to y_pred's dtype and ranks are aligned as in Keras.
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
};

}  // namespace nabla
