#include "losses/kl_divergence.h"

#include "framework/ops/ops.h"
#include "losses/loss_utils.h"

namespace nabla {

Tensor KLDivergence::call(const Tensor& y_true, const Tensor& y_pred) const {
  const auto [t_raw, p_raw] = loss_utils::align(y_true, y_pred);
  const Tensor t = clip_by_value(t_raw, loss_utils::kEpsilon, 1.0);
  const Tensor p = clip_by_value(p_raw, loss_utils::kEpsilon, 1.0);
  return reduce_sum(t * log(t / p), {-1});
}

}  // namespace nabla
