#include "layers/rescaling.h"

#include <nlohmann/json.hpp>

#include "framework/core/errors.h"
#include "framework/ops/ops.h"
#include "layers/layer_config.h"

namespace nabla {
namespace {

// A number, or a per-channel constant of x's dtype.
Tensor factor(const std::vector<double>& v, bool list, DType dtype) {
  if (!list) return Tensor(v[0]);
  return cast(Tensor::from_vector(v, Shape{static_cast<int64_t>(v.size())}), dtype);
}

nlohmann::json factor_config(const std::vector<double>& v, bool list) {
  return list ? nlohmann::json(v) : nlohmann::json(v[0]);
}

// A number or a list of numbers; `list` says which it was.
std::vector<double> read_factor(const nlohmann::json& c, const char* key, double fallback,
                                bool& list) {
  list = false;
  if (!c.contains(key) || c[key].is_null()) return {fallback};
  const nlohmann::json& v = c[key];
  if (v.is_number()) return {narrowed_float(v.get<double>())};
  std::vector<double> out;
  if (v.is_array())
    for (const auto& e : v) {
      if (!e.is_number()) break;
      out.push_back(narrowed_float(e.get<double>()));
    }
  if (out.empty() || out.size() != v.size())
    throw ValueError(std::string("Rescaling config: '") + key +
                     "' must be a number or a list of numbers, got " + v.dump());
  list = true;
  return out;
}

}  // namespace

Rescaling::Rescaling(double scale, double offset, std::string name)
    : LayerOf(std::move(name)),
      scale_{scale},
      offset_{offset},
      scale_list_(false),
      offset_list_(false) {}

Rescaling::Rescaling(std::vector<double> scale, std::vector<double> offset, std::string name)
    : LayerOf(std::move(name)),
      scale_(std::move(scale)),
      offset_(std::move(offset)),
      scale_list_(true),
      offset_list_(true) {
  if (scale_.empty() || offset_.empty())
    throw ValueError("Rescaling needs at least one scale and one offset value");
}

void Rescaling::build(const Shape& input_shape) {
  const int64_t channels = input_shape.rank() > 0 ? input_shape.dim(-1) : 1;
  for (const auto* v : {&scale_, &offset_})
    if (v->size() > 1 && channels >= 0 && static_cast<int64_t>(v->size()) != channels)
      throw ShapeError("Rescaling '" + name() + "' has " + std::to_string(v->size()) +
                       " values per channel, but its inputs of shape " + input_shape.to_string() +
                       " have " + std::to_string(channels) + " channels");
}

Tensor Rescaling::call(const Tensor& x, CallContext&) {
  return x * factor(scale_, scale_list_, x.dtype()) + factor(offset_, offset_list_, x.dtype());
}

nlohmann::json Rescaling::get_config() const {
  nlohmann::json c = base_config();
  c["scale"] = factor_config(scale_, scale_list_);
  c["offset"] = factor_config(offset_, offset_list_);
  return c;
}

LayerPtr Rescaling::from_config(const nlohmann::json& c) {
  LayerConfigReader r(c, "Rescaling", {"scale", "offset"});
  if (!c.contains("scale")) throw ValueError("Rescaling config needs 'scale'");
  bool scale_list = false, offset_list = false;
  std::vector<double> scale = read_factor(c, "scale", 1.0, scale_list);
  std::vector<double> offset = read_factor(c, "offset", 0.0, offset_list);
  std::shared_ptr<Rescaling> layer;
  if (!scale_list && !offset_list) {
    layer = std::make_shared<Rescaling>(scale[0], offset[0], r.name());
  } else {
    layer = std::make_shared<Rescaling>(scale, offset, r.name());
    layer->scale_list_ = scale_list;
    layer->offset_list_ = offset_list;
  }
  r.apply_common(*layer);
  return layer;
}

}  // namespace nabla
