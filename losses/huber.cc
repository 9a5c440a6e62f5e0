#include "losses/huber.h"

#include "framework/ops/ops.h"
#include "losses/loss_utils.h"

namespace nabla {

Tensor Huber::call(const Tensor& y_true, const Tensor& y_pred) const {
  const auto [t, p] = loss_utils::align(y_true, y_pred);
  const double delta = options_.delta();
  const Tensor error = p - t;
  const Tensor abs_error = abs(error);
  const Tensor quadratic = square(error) * 0.5;
  const Tensor linear = abs_error * delta - 0.5 * delta * delta;
  return reduce_mean(where(less_equal(abs_error, Tensor(delta)), quadratic, linear), {-1});
}

}  // namespace nabla
