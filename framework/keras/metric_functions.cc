#include "framework/keras/metric_functions.h"

#include <algorithm>

#include "framework/ops/ops.h"
#include "losses/loss_utils.h"
#include "losses/mean_absolute_error.h"
#include "losses/mean_squared_error.h"

namespace nabla::metric_functions {

namespace {

/// 1.0 where `a` equals `b`, as float32.
Tensor matches(const Tensor& a, const Tensor& b) {
  return cast(equal(a, b), DType::Float32);
}

/// Values of rank > 1 averaged down to one per sample (Keras's samplewise reduction).
Tensor per_sample(const Tensor& values) {
  if (values.rank() <= 1) return values;
  std::vector<int> axes;
  for (int i = 1; i < values.rank(); ++i) axes.push_back(i);
  return reduce_mean(values, axes);
}

}  // namespace

Tensor binary_accuracy(const Tensor& y_true, const Tensor& y_pred, double threshold) {
  const auto [t, p] = loss_utils::align(y_true, y_pred);
  const Tensor predicted = cast(greater(p, Tensor(threshold)), p.dtype());
  return per_sample(matches(t, predicted));
}

Tensor categorical_accuracy(const Tensor& y_true, const Tensor& y_pred) {
  return per_sample(matches(argmax(y_true, -1), argmax(y_pred, -1)));
}

Tensor sparse_categorical_accuracy(const Tensor& y_true, const Tensor& y_pred) {
  Tensor labels = y_true;
  if (labels.rank() == y_pred.rank() && labels.shape().dim(-1) == 1) labels = squeeze(labels, -1);
  // Compared as floats, as Keras does: a label of 2.0 matches class 2.
  const Tensor predicted = cast(argmax(y_pred, -1), y_pred.dtype());
  return per_sample(matches(cast(labels, y_pred.dtype()), predicted));
}

Tensor top_k_categorical_accuracy(const Tensor& y_true, const Tensor& y_pred, int64_t k) {
  const int64_t classes = y_pred.shape().dim(-1);
  if (classes < 0)
    throw ShapeError("top_k_categorical_accuracy needs a known number of classes, got " +
                     y_pred.shape().to_string());
  k = std::min(k, classes);
  // The labelled class is in the top k when fewer than k classes score strictly higher.
  const Tensor label_hot = one_hot(argmax(y_true, -1), classes, 1.0, 0.0, y_pred.dtype());
  const Tensor label_score = reduce_sum(label_hot * y_pred, {-1}, true);
  const Tensor higher = reduce_sum(cast(greater(y_pred, label_score), y_pred.dtype()), {-1});
  return per_sample(cast(less(higher, Tensor(static_cast<double>(k))), DType::Float32));
}

Tensor mean_squared_error(const Tensor& y_true, const Tensor& y_pred) {
  return per_sample(MeanSquaredError().call(y_true, y_pred));
}

Tensor mean_absolute_error(const Tensor& y_true, const Tensor& y_pred) {
  return per_sample(MeanAbsoluteError().call(y_true, y_pred));
}

}  // namespace nabla::metric_functions
