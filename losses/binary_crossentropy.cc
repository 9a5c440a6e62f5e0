#include "losses/binary_crossentropy.h"

#include "framework/ops/ops.h"
#include "losses/loss_utils.h"

namespace nabla {

Tensor BinaryCrossentropy::call(const Tensor& y_true, const Tensor& y_pred) const {
  auto [t, p] = loss_utils::align(y_true, y_pred);
  loss_utils::check_same_shape(name(), t, p);
  const double ls = options_.label_smoothing();
  if (ls != 0.0) t = t * (1.0 - ls) + 0.5 * ls;

  Tensor logits = options_.from_logits() ? p : loss_utils::logits_behind(p, op::Sigmoid);
  Tensor per_element;
  if (logits.defined()) {
    per_element = sigmoid_cross_entropy_with_logits(t, logits);
  } else {
    const Tensor q = loss_utils::clip_probabilities(p);
    per_element = -(t * log(q) + (1.0 - t) * log(1.0 - q));
  }
  return reduce_mean(per_element, {options_.axis()});
}

}  // namespace nabla
