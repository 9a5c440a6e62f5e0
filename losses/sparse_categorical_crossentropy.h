// SparseCategoricalCrossentropy: the cross-entropy of a class distribution against class indices.
#pragma once

#include <string>

#include "losses/options.h"

namespace nabla {

/// Keras's SparseCategoricalCrossentropy. With class index c and class probabilities p, per
/// sample
///
///     -log(p[c])
///
/// Labels have the predictions' shape without the class axis ([N] against [N, C]), or a trailing
/// 1 ([N, 1]); int32, int64 or integral floats. A label outside [0, C) is a ValueError. It never
/// takes log(0): logits (from_logits, or the input of the Softmax node that produced a symbolic
/// y_pred, as tf.keras does) go through the fused sparse_softmax_cross_entropy_with_logits; other
/// probabilities are clipped to [1e-7, 1 - 1e-7] and their log is used as logits, exactly as
/// Keras's TensorFlow backend does (which renormalises clipped rows).
class SparseCategoricalCrossentropy : public LossWithOptions<SparseCategoricalCrossentropyOptions> {
 public:
  explicit SparseCategoricalCrossentropy(SparseCategoricalCrossentropyOptions options = {},
                                         std::string name = "sparse_categorical_crossentropy")
      : LossWithOptions(std::move(name), options) {}
  /// "SparseCategoricalCrossentropy".
  std::string class_name() const override { return "SparseCategoricalCrossentropy"; }
  /// The per-sample losses, shaped like the labels (without a trailing 1).
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
  /// Class indices: LabelKind::Sparse.
  LabelKind label_kind() const override { return LabelKind::Sparse; }
};

}  // namespace nabla
