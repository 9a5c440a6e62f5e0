// Hinge: the SVM hinge loss for labels in {-1, 1} (or {0, 1}, converted).
#pragma once

#include <string>

#include "losses/loss.h"

namespace nabla {

/// Keras's Hinge. Per sample: mean(max(1 - y_true * y_pred, 0)) over the last axis. When every
/// label of the batch is 0 or 1 the labels are first mapped to -1 and 1 (2 y - 1), as Keras does.
class Hinge : public Loss {
 public:
  explicit Hinge(std::string name = "hinge") : Loss(std::move(name)) {}
  /// "Hinge".
  std::string class_name() const override { return "Hinge"; }
  /// The per-sample losses; y_true is cast to y_pred's dtype and ranks are aligned as in Keras.
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
};

}  // namespace nabla
