#include "losses/log_cosh.h"

#include <cmath>

#include "framework/ops/ops.h"
#include "losses/loss_utils.h"

namespace nabla {

Tensor LogCosh::call(const Tensor& y_true, const Tensor& y_pred) const {
  const auto [t, p] = loss_utils::align(y_true, y_pred);
  const Tensor x = p - t;
  return reduce_mean(x + softplus(x * -2.0) - std::log(2.0), {-1});
}

}  // namespace nabla
