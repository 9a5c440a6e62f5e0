#include "layers/dropout.h"

#include "framework/core/errors.h"
#include "framework/ops/ops.h"
#include "layers/layer_config.h"

namespace nabla {
Dropout::Dropout(double rate, uint64_t seed, std::string name)
    : LayerOf(std::move(name)), rate_(rate), seed_(layer_seed(seed, "Dropout")) {
  if (!(rate >= 0.0 && rate < 1.0))
    throw ValueError("Dropout rate must be in [0, 1), got " + std::to_string(rate));
}

Tensor Dropout::call(const Tensor& x, CallContext& ctx) {
  if (!ctx.training || rate_ == 0.0) return x;
  return dropout(x, rate_, seed_, ctx.step, ctx.row_offset);
}

nlohmann::json Dropout::get_config() const {
  nlohmann::json c = base_config();
  c["rate"] = rate_;
  c["noise_shape"] = nullptr;
  // The seed in use, also when drawn from the global sequence: a model loaded from its config
  // then draws the same masks, so resumed training matches uninterrupted training.
  c["seed"] = seed_;
  return c;
}

LayerPtr Dropout::from_config(const nlohmann::json& c) {
  LayerConfigReader r(c, "Dropout", {"rate", "seed"});
  auto layer = std::make_shared<Dropout>(r.number("rate", 0.5), r.seed(), r.name());
  r.apply_common(*layer);
  return layer;
}

Tensor Flatten::call(const Tensor& x, CallContext&) {
  return reshape(x, compute_output_shape(x.shape()));
}

Shape Flatten::compute_output_shape(const Shape& input_shape) const {
  int64_t rest = 1;
  for (int i = 1; i < input_shape.rank(); ++i) {
    if (input_shape[i] < 0)
      throw ShapeError("Flatten '" + name() + "' needs all but the batch axis known, got " +
                       input_shape.to_string());
    rest *= input_shape[i];
  }
  return Shape{input_shape.rank() ? input_shape[0] : 1, rest};
}

nlohmann::json Flatten::get_config() const {
  nlohmann::json c = base_config();
  c["data_format"] = "channels_last";
  return c;
}

LayerPtr Flatten::from_config(const nlohmann::json& c) {
  LayerConfigReader r(c, "Flatten", {"data_format"});
  auto layer = std::make_shared<Flatten>(r.name());
  r.apply_common(*layer);
  return layer;
}

}  // namespace nabla
