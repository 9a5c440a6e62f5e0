#include "losses/sparse_categorical_crossentropy.h"

#include "framework/ops/ops.h"
#include "losses/loss_utils.h"

namespace nabla {

Tensor SparseCategoricalCrossentropy::call(const Tensor& y_true, const Tensor& y_pred) const {
  if (y_pred.rank() < 1)
    throw ShapeError(name() + ": predictions need a class axis, got shape " +
                     y_pred.shape().to_string());
  Tensor labels = y_true;
  if (labels.rank() == y_pred.rank() && labels.shape().dim(-1) == 1) labels = squeeze(labels, -1);
  if (labels.rank() + 1 != y_pred.rank())
    throw ShapeError(name() + ": labels of shape " + y_true.shape().to_string() +
                     " do not fit predictions of shape " + y_pred.shape().to_string() +
                     " (expected class indices of shape " +
                     y_pred.shape().erased(y_pred.rank() - 1).to_string() +
                     "; one-hot labels belong to categorical_crossentropy)");
  if (!is_integer(labels.dtype())) labels = cast(labels, DType::Int64);

  Tensor logits = options_.from_logits() ? y_pred : loss_utils::logits_behind(y_pred, op::Softmax);
  if (!logits.defined()) logits = log(loss_utils::clip_probabilities(y_pred));
  if (logits.rank() == 2) return sparse_softmax_cross_entropy_with_logits(labels, logits);

  // The fused op takes rows; other ranks ([N, T, C] sequences) are flattened to rows and back.
  const Shape per_sample = labels.shape();
  const int64_t classes = logits.shape().dim(-1);
  const Tensor rows = sparse_softmax_cross_entropy_with_logits(reshape(labels, {-1}),
                                                               reshape(logits, {-1, classes}));
  return reshape(rows, per_sample);
}

}  // namespace nabla
