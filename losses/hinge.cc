#include "losses/hinge.h"

#include "framework/ops/ops.h"
#include "losses/loss_utils.h"

namespace nabla {

Tensor Hinge::call(const Tensor& y_true, const Tensor& y_pred) const {
  auto [t, p] = loss_utils::align(y_true, y_pred);
  // Keras converts {0, 1} labels to {-1, 1} only when the whole batch is binary. `binary` is 1
  // then and 0 otherwise (0 and 1 are exclusive, so the two indicators never add up to 2), and
  // t + binary * (t - 1) is 2t - 1 or t.
  const Tensor is_0_or_1 =
      cast(equal(t, Tensor(0.0)), t.dtype()) + cast(equal(t, Tensor(1.0)), t.dtype());
  const Tensor binary = reduce_min(is_0_or_1);
  t = t + binary * (t - 1.0);
  return reduce_mean(maximum(1.0 - t * p, Tensor(0.0)), {-1});
}

}  // namespace nabla
