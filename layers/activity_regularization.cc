#include "layers/activity_regularization.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "framework/core/errors.h"
#include "framework/ops/ops.h"
#include "layers/layer_config.h"

namespace nabla {

ActivityRegularization::ActivityRegularization(double l1, double l2, std::string name)
    : LayerOf(std::move(name)), l1_(l1), l2_(l2) {
  if (!(l1 >= 0.0 && l2 >= 0.0 && std::isfinite(l1) && std::isfinite(l2)))
    throw ValueError("ActivityRegularization l1 and l2 must be >= 0, got " + std::to_string(l1) +
                     " and " + std::to_string(l2));
}

Tensor ActivityRegularization::call(const Tensor& x, CallContext& ctx) {
  if (ctx.training && ctx.losses && (l1_ > 0.0 || l2_ > 0.0))
    ctx.losses->push_back(Regularizer(l1_, l2_)(x) / batch_size_of(x));
  return x;
}

nlohmann::json ActivityRegularization::get_config() const {
  nlohmann::json c = base_config();
  c["l1"] = l1_;
  c["l2"] = l2_;
  return c;
}

LayerPtr ActivityRegularization::from_config(const nlohmann::json& c) {
  // Keras's base layer config can carry the L1L2 object the layer makes as
  // "activity_regularizer"; l1 and l2 say the same.
  LayerConfigReader r(c, "ActivityRegularization", {"l1", "l2", "activity_regularizer"});
  auto layer = std::make_shared<ActivityRegularization>(r.keras_float("l1", 0.0),
                                                        r.keras_float("l2", 0.0), r.name());
  r.apply_common(*layer);
  return layer;
}

}  // namespace nabla
