#include "losses/mean_squared_error.h"

#include "framework/ops/ops.h"
#include "losses/loss_utils.h"

namespace nabla {

Tensor MeanSquaredError::call(const Tensor& y_true, const Tensor& y_pred) const {
  const auto [t, p] = loss_utils::align(y_true, y_pred);
  return reduce_mean(square(t - p), {-1});
}

}  // namespace nabla
