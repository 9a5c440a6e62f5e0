// CategoricalCrossentropy: the cross-entropy of a class distribution against one-hot labels.
#pragma once

#include <string>

#include "losses/options.h"

namespace nabla {

/// Keras's CategoricalCrossentropy. With one-hot (or probability) labels y, smoothed to
/// y (1 - ls) + ls / num_classes, per sample
///
///     -sum(y log(p)) over `axis`
///
/// It never takes log(0): logits (from_logits, or the input of the Softmax node that produced a
/// symbolic y_pred, as tf.keras does) go through log_softmax; other predictions are normalised to
/// sum to 1 along `axis` and clipped to [1e-7, 1 - 1e-7], as Keras's TensorFlow backend does.
class CategoricalCrossentropy : public LossWithOptions<CrossentropyOptions> {
 public:
  explicit CategoricalCrossentropy(CrossentropyOptions options = {},
                                   std::string name = "categorical_crossentropy")
      : LossWithOptions(std::move(name), options) {}
  /// "CategoricalCrossentropy".
  std::string class_name() const override { return "CategoricalCrossentropy"; }
  /// The per-sample losses. Labels must have the predictions' shape (ShapeError otherwise:
  /// integer class labels belong to SparseCategoricalCrossentropy).
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
};

}  // namespace nabla
