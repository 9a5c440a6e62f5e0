#include "losses/mean_absolute_percentage_error.h"

#include "framework/ops/ops.h"
#include "losses/loss_utils.h"

namespace nabla {

Tensor MeanAbsolutePercentageError::call(const Tensor& y_true, const Tensor& y_pred) const {
  const auto [t, p] = loss_utils::align(y_true, y_pred);
  const Tensor denominator = maximum(abs(t), Tensor(loss_utils::kEpsilon));
  return reduce_mean(abs((t - p) / denominator), {-1}) * 100.0;
}

}  // namespace nabla
