#include "layers/unit_normalization.h"

#include <nlohmann/json.hpp>

#include "framework/core/errors.h"
#include "framework/ops/ops.h"
#include "layers/layer_config.h"

namespace nabla {

UnitNormalization::UnitNormalization(int64_t axis, std::string name)
    : LayerOf(std::move(name)), axes_{axis}, list_(false) {}

UnitNormalization::UnitNormalization(std::vector<int64_t> axes, std::string name)
    : LayerOf(std::move(name)), axes_(std::move(axes)), list_(true) {
  if (axes_.empty()) throw ValueError("UnitNormalization needs at least one axis");
}

std::vector<int> UnitNormalization::normalized_axes(int rank) const {
  std::vector<int> out;
  for (int64_t a : axes_) {
    if (a < -rank || a >= rank)
      throw ShapeError("UnitNormalization '" + name() + "': axis " + std::to_string(a) +
                       " is out of range for inputs of rank " + std::to_string(rank));
    out.push_back(static_cast<int>(a < 0 ? a + rank : a));
  }
  return out;
}

void UnitNormalization::build(const Shape& input_shape) {
  normalized_axes(input_shape.rank());
}

Tensor UnitNormalization::call(const Tensor& x, CallContext&) {
  const Tensor squared_norm = reduce_sum(square(x), normalized_axes(x.rank()), true);
  return x * rsqrt(maximum(squared_norm, 1e-24));
}

nlohmann::json UnitNormalization::get_config() const {
  nlohmann::json c = base_config();
  c["axis"] = list_ ? nlohmann::json(axes_) : nlohmann::json(axes_[0]);
  return c;
}

LayerPtr UnitNormalization::from_config(const nlohmann::json& c) {
  LayerConfigReader r(c, "UnitNormalization", {"axis"});
  auto layer = r.raw("axis", -1).is_array()
                   ? std::make_shared<UnitNormalization>(r.axes("axis", {-1}), r.name())
                   : std::make_shared<UnitNormalization>(r.axis("axis", -1), r.name());
  r.apply_common(*layer);
  return layer;
}

}  // namespace nabla
