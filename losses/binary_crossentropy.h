// BinaryCrossentropy: the cross-entropy of independent yes/no predictions.
#pragma once

#include <string>

#include "losses/options.h"

namespace nabla {

/// Keras's BinaryCrossentropy. With labels y (smoothed to y (1 - ls) + 0.5 ls) and probabilities
/// p, per element
///
///     -(y log(p) + (1 - y) log(1 - p))
///
/// and per sample the mean over `axis`. It never takes log(0): logits (from_logits, or the input
/// of the Sigmoid node that produced a symbolic y_pred, as tf.keras does) go through the fused
/// sigmoid_cross_entropy_with_logits; other probabilities are clipped to [1e-7, 1 - 1e-7].
class BinaryCrossentropy : public LossWithOptions<CrossentropyOptions> {
 public:
  explicit BinaryCrossentropy(CrossentropyOptions options = {},
                              std::string name = "binary_crossentropy")
      : LossWithOptions(std::move(name), options) {}
  /// "BinaryCrossentropy".
  std::string class_name() const override { return "BinaryCrossentropy"; }
  /// The per-sample losses. y_true (any numeric dtype) is cast to y_pred's; labels of shape [N]
  /// against predictions [N, 1] are expanded, as in Keras.
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
};

}  // namespace nabla
