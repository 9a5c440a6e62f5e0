#include "layers/advanced_activations.h"

#include <nlohmann/json.hpp>

#include "framework/core/errors.h"
#include "framework/ops/ops.h"
#include "layers/layer_config.h"

namespace nabla {
namespace {

void require_non_negative(double v, const char* what) {
  if (!(v >= 0.0))
    throw ValueError(std::string("ReLU ") + what + " must be >= 0 (as in Keras), got " +
                     std::to_string(v));
}

// `axis` (negative from the end) as an index into a shape of `rank`; ShapeError naming the layer
// when out of range.
int normalized_axis(int64_t axis, int rank, const Layer& layer) {
  if (axis < -rank || axis >= rank)
    throw ShapeError(layer.class_name() + " '" + layer.name() + "': axis " + std::to_string(axis) +
                     " is out of range for inputs of rank " + std::to_string(rank));
  return static_cast<int>(axis < 0 ? axis + rank : axis);
}

}  // namespace

ReLU::ReLU(ReLUOptions options, std::string name) : LayerOf(std::move(name)), o_(options) {
  if (o_.max_value()) require_non_negative(*o_.max_value(), "max_value");
  require_non_negative(o_.negative_slope(), "negative_slope");
  require_non_negative(o_.threshold(), "threshold");
}

Tensor ReLU::call(const Tensor& x, CallContext&) {
  const double t = o_.threshold(), s = o_.negative_slope();
  if (t == 0.0 && !o_.max_value()) return s == 0.0 ? relu(x) : leaky_relu(x, s);
  // Keras's relu(x, negative_slope, max_value, threshold), one branch per side of the threshold.
  const Tensor above = o_.max_value() ? minimum(x, *o_.max_value()) : x;
  const Tensor below = s == 0.0 ? zeros_like(x) : (x - t) * s;
  return where(greater(x, t), above, below);
}

nlohmann::json ReLU::get_config() const {
  nlohmann::json c = base_config();
  c["max_value"] = o_.max_value() ? nlohmann::json(*o_.max_value()) : nlohmann::json(nullptr);
  c["negative_slope"] = o_.negative_slope();
  c["threshold"] = o_.threshold();
  return c;
}

LayerPtr ReLU::from_config(const nlohmann::json& c) {
  LayerConfigReader r(c, "ReLU", {"max_value", "negative_slope", "threshold"});
  ReLUOptions o;
  if (!r.raw("max_value", nullptr).is_null()) o.max_value(r.keras_float("max_value", 0.0));
  o.negative_slope(r.keras_float("negative_slope", 0.0)).threshold(r.keras_float("threshold", 0.0));
  auto layer = std::make_shared<ReLU>(o, r.name());
  r.apply_common(*layer);
  return layer;
}

ELU::ELU(double alpha, std::string name) : LayerOf(std::move(name)), alpha_(alpha) {}

Tensor ELU::call(const Tensor& x, CallContext&) {
  return elu(x, alpha_);
}

nlohmann::json ELU::get_config() const {
  nlohmann::json c = base_config();
  c["alpha"] = alpha_;
  return c;
}

LayerPtr ELU::from_config(const nlohmann::json& c) {
  LayerConfigReader r(c, "ELU", {"alpha"});
  auto layer = std::make_shared<ELU>(r.keras_float("alpha", 1.0), r.name());
  r.apply_common(*layer);
  return layer;
}

PReLU::PReLU(PReLUOptions options, std::string name)
    : LayerOf(std::move(name)), o_(std::move(options)) {}

void PReLU::build(const Shape& input_shape) {
  Shape alpha_shape = input_shape.erased(0);
  for (int64_t a : o_.shared_axes()) {
    if (a < 1 || a >= input_shape.rank())
      throw ShapeError("PReLU '" + name() + "': shared axis " + std::to_string(a) +
                       " is not an axis of inputs of shape " + input_shape.to_string() +
                       " (axes count from 1, after the batch)");
    alpha_shape[static_cast<int>(a - 1)] = 1;
  }
  if (!alpha_shape.is_fully_defined())
    throw ShapeError("PReLU '" + name() +
                     "' needs every unshared axis known, got inputs of shape " +
                     input_shape.to_string());
  alpha_ = add_weight("alpha", alpha_shape, o_.alpha_initializer(), true, o_.alpha_regularizer());
}

Tensor PReLU::call(const Tensor& x, CallContext&) {
  return relu(x) - alpha_.read() * relu(-x);
}

nlohmann::json PReLU::get_config() const {
  nlohmann::json c = base_config();
  c["alpha_initializer"] = o_.alpha_initializer().get_config();
  c["alpha_regularizer"] = regularizer_config(o_.alpha_regularizer());
  c["alpha_constraint"] = nullptr;
  c["shared_axes"] =
      o_.shared_axes().empty() ? nlohmann::json(nullptr) : nlohmann::json(o_.shared_axes());
  return c;
}

LayerPtr PReLU::from_config(const nlohmann::json& c) {
  LayerConfigReader r(
      c, "PReLU", {"alpha_initializer", "alpha_regularizer", "alpha_constraint", "shared_axes"});
  if (!r.raw("alpha_constraint", nullptr).is_null())
    throw UnimplementedError(
        "PReLU config: 'alpha_constraint' is not supported by nabla (only "
        "null)");
  PReLUOptions o;
  o.alpha_initializer(Initializer::from_config(r.raw("alpha_initializer", "zeros")));
  o.alpha_regularizer(Regularizer::from_config(r.raw("alpha_regularizer", nullptr)));
  o.shared_axes(r.axes("shared_axes", {}));
  auto layer = std::make_shared<PReLU>(o, r.name());
  r.apply_common(*layer);
  return layer;
}

Softmax::Softmax(int64_t axis, std::string name)
    : LayerOf(std::move(name)), axes_{axis}, list_(false) {}

Softmax::Softmax(std::vector<int64_t> axes, std::string name)
    : LayerOf(std::move(name)), axes_(std::move(axes)), list_(true) {
  if (axes_.empty()) throw ValueError("Softmax needs at least one axis");
}

void Softmax::build(const Shape& input_shape) {
  for (int64_t a : axes_) normalized_axis(a, input_shape.rank(), *this);
}

Tensor Softmax::call(const Tensor& x, CallContext&) {
  if (axes_.size() == 1) return softmax(x, normalized_axis(axes_[0], x.rank(), *this));
  // Several axes at once, as Keras computes it: exp(x - logsumexp(x over the axes)).
  std::vector<int> axes;
  for (int64_t a : axes_) axes.push_back(normalized_axis(a, x.rank(), *this));
  return exp(x - reduce_logsumexp(x, axes, true));
}

nlohmann::json Softmax::get_config() const {
  nlohmann::json c = base_config();
  c["axis"] = list_ ? nlohmann::json(axes_) : nlohmann::json(axes_[0]);
  return c;
}

LayerPtr Softmax::from_config(const nlohmann::json& c) {
  LayerConfigReader r(c, "Softmax", {"axis"});
  const nlohmann::json axis = r.raw("axis", -1);
  auto layer = axis.is_array() ? std::make_shared<Softmax>(r.axes("axis", {-1}), r.name())
                               : std::make_shared<Softmax>(r.axis("axis", -1), r.name());
  r.apply_common(*layer);
  return layer;
}

}  // namespace nabla
