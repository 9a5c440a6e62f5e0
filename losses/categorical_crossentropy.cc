#include "losses/categorical_crossentropy.h"

#include "framework/ops/ops.h"
#include "losses/loss_utils.h"

namespace nabla {

Tensor CategoricalCrossentropy::call(const Tensor& y_true, const Tensor& y_pred) const {
  auto [t, p] = loss_utils::align(y_true, y_pred);
  loss_utils::check_same_shape(name(), t, p);
  const int axis = options_.axis();
  const double ls = options_.label_smoothing();
  if (ls != 0.0) {
    // Keras counts the classes on the last axis of the labels, whatever `axis` is.
    const int64_t num_classes = t.shape().dim(-1);
    if (num_classes < 0)
      throw ShapeError(name() + ": label smoothing needs a known number of classes, got labels " +
                       t.shape().to_string());
    t = t * (1.0 - ls) + ls / static_cast<double>(num_classes);
  }

  const Tensor logits =
      options_.from_logits() ? p : loss_utils::logits_behind(p, op::Softmax, axis);
  if (logits.defined()) return -reduce_sum(t * log_softmax(logits, axis), {axis});
  const Tensor q = loss_utils::clip_probabilities(p / reduce_sum(p, {axis}, true));
  return -reduce_sum(t * log(q), {axis});
}

}  // namespace nabla
