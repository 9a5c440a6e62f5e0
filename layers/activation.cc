#include "layers/activation.h"

#include "framework/ops/ops.h"
#include "layers/layer_config.h"

namespace nabla {

nlohmann::json Activation::get_config() const {
  nlohmann::json c = base_config();
  c["activation"] = activation_.get_config();
  return c;
}

LayerPtr Activation::from_config(const nlohmann::json& c) {
  LayerConfigReader r(c, "Activation", {"activation"});
  auto layer = std::make_shared<Activation>(
      ActivationFn::from_config(r.raw("activation", "linear")), r.name());
  r.apply_common(*layer);
  return layer;
}

Tensor LeakyReLU::call(const Tensor& x, CallContext&) {
  return leaky_relu(x, slope_);
}

nlohmann::json LeakyReLU::get_config() const {
  nlohmann::json c = base_config();
  c["alpha"] = slope_;  // read by Keras 2, accepted by Keras 3
  return c;
}

LayerPtr LeakyReLU::from_config(const nlohmann::json& c) {
  LayerConfigReader r(c, "LeakyReLU", {"alpha", "negative_slope"});
  const double slope = r.number("negative_slope", r.number("alpha", 0.3));
  auto layer = std::make_shared<LeakyReLU>(slope, r.name());
  r.apply_common(*layer);
  return layer;
}

}  // namespace nabla
