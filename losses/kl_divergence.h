// KLDivergence: Kullback-Leibler divergence of y_pred from y_true.
#pragma once

#include <string>

#include "losses/loss.h"

namespace nabla {

/// Keras's KLDivergence. Per sample: sum(y_true * log(y_true / y_pred)) over the last axis, both
/// clipped to [1e-7, 1] first so that neither the log nor the division meets a zero.
class KLDivergence : public Loss {
 public:
  explicit KLDivergence(std::string name = "kl_divergence") : Loss(std::move(name)) {}
  /// "KLDivergence".
  std::string class_name() const override { return "KLDivergence"; }
  /// The per-sample losses; y_true is cast to y_pred's dtype and ranks are aligned as in Keras.
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
};

}  // namespace nabla
