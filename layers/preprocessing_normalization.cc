#include "layers/preprocessing_normalization.h"

#include <algorithm>
#include <functional>
#include <nlohmann/json.hpp>

#include "framework/core/errors.h"
#include "framework/ops/ops.h"
#include "layers/layer_config.h"

namespace nabla {
namespace {

using json = nlohmann::json;

// A number or nested lists of numbers (Keras writes arrays so) as a float64 tensor.
Tensor tensor_from_json(const json& j, const std::string& what) {
  Shape shape;
  for (const json* p = &j; p->is_array(); p = &(*p)[0]) {
    if (p->empty()) throw ValueError(what + " must not hold empty lists, got " + j.dump());
    shape.push_back(static_cast<int64_t>(p->size()));
  }
  std::vector<double> values;
  std::function<void(const json&, int)> walk = [&](const json& v, int depth) {
    if (depth == shape.rank()) {
      if (!v.is_number()) throw ValueError(what + " must hold numbers, got " + j.dump());
      values.push_back(v.get<double>());
      return;
    }
    if (!v.is_array() || static_cast<int64_t>(v.size()) != shape[depth])
      throw ValueError(what + " must be a number or evenly nested lists, got " + j.dump());
    for (const json& e : v) walk(e, depth + 1);
  };
  walk(j, 0);
  return Tensor::from_vector(values, shape);
}

json tensor_to_json(const Tensor& t) {
  const std::vector<double> v = t.to_vector<double>();
  size_t next = 0;
  std::function<json(int)> build = [&](int depth) -> json {
    if (depth == t.rank()) return v[next++];
    json list = json::array();
    for (int64_t i = 0; i < t.shape()[depth]; ++i) list.push_back(build(depth + 1));
    return list;
  };
  return build(0);
}

}  // namespace

Normalization::Normalization(NormalizationOptions options, std::string name)
    : LayerOf(std::move(name)), o_(std::move(options)) {
  if (o_.mean().defined() != o_.variance().defined())
    throw ValueError("Normalization: give both mean and variance, or neither");
  if (!o_.mean().defined()) return;
  if (!o_.mean().is_eager() || !o_.variance().is_eager())
    throw ValueError("Normalization: mean and variance must be eager tensors");
  if (o_.mean().shape() != o_.variance().shape())
    throw ShapeError("Normalization: mean of shape " + o_.mean().shape().to_string() +
                     " and variance of shape " + o_.variance().shape().to_string() + " differ");
  if (o_.mean().rank() > static_cast<int>(o_.axis().size()))
    throw ShapeError("Normalization: mean of shape " + o_.mean().shape().to_string() +
                     " has more axes than the " + std::to_string(o_.axis().size()) + " kept");
}

std::vector<int> Normalization::kept_axes(int rank) const {
  std::vector<int> keep;
  for (int64_t a : o_.axis()) {
    if (a < -rank || a >= rank)
      throw ShapeError("Normalization '" + name() + "': axis " + std::to_string(a) +
                       " is out of range for inputs of rank " + std::to_string(rank));
    keep.push_back(static_cast<int>(a < 0 ? a + rank : a));
  }
  std::sort(keep.begin(), keep.end());
  keep.erase(std::unique(keep.begin(), keep.end()), keep.end());
  return keep;
}

void Normalization::build(const Shape& input_shape) {
  const int rank = input_shape.rank();
  keep_ = kept_axes(rank);
  broadcast_shape_ = Shape(std::vector<int64_t>(static_cast<size_t>(rank), 1));
  Shape stats;
  for (int d : keep_) {
    if (input_shape[d] <= 0)
      throw ShapeError("Normalization '" + name() + "' needs the kept axis " + std::to_string(d) +
                       " known, got inputs of shape " + input_shape.to_string());
    broadcast_shape_[d] = input_shape[d];
    stats.push_back(input_shape[d]);
  }
  if (!o_.mean().defined()) {
    mean_ = add_weight("mean", stats, "zeros", false);
    variance_ = add_weight("variance", stats, "ones", false);
    count_ = add_weight("count", {}, "zeros", false, nullptr, DType::Int64);
    return;
  }
  // Given statistics align with the kept axes from the right, as Keras broadcasts them.
  Shape expanded(std::vector<int64_t>(static_cast<size_t>(rank), 1));
  const Shape& given = o_.mean().shape();
  for (int i = 1; i <= given.rank(); ++i) {
    const int axis = keep_[keep_.size() - i];
    if (given.dim(-i) != 1 && given.dim(-i) != input_shape[axis])
      throw ShapeError("Normalization '" + name() + "': mean and variance of shape " +
                       given.to_string() + " do not fit inputs of shape " +
                       input_shape.to_string() + " on the kept axes");
    expanded[axis] = given.dim(-i);
  }
  given_mean_ = cast(o_.mean(), DType::Float32).view(expanded);
  given_variance_ = cast(o_.variance(), DType::Float32).view(expanded);
}

Tensor Normalization::mean() const {
  return given_mean_.defined() ? given_mean_ : reshape(mean_.read(), broadcast_shape_);
}

Tensor Normalization::variance() const {
  return given_variance_.defined() ? given_variance_ : reshape(variance_.read(), broadcast_shape_);
}

Tensor Normalization::call(const Tensor& x, CallContext&) {
  Tensor m = mean(), v = variance();
  if (x.dtype() != m.dtype()) m = cast(m, x.dtype()), v = cast(v, x.dtype());
  const Tensor stddev = maximum(sqrt(v), 1e-7);  // Keras's epsilon
  return o_.invert() ? m + x * stddev : (x - m) / stddev;
}

void Normalization::adapt(const Tensor& data) {
  if (o_.mean().defined())
    throw StateError("Normalization '" + name() +
                     "' was given its mean and variance; adapt() computes them for a layer "
                     "without");
  if (!data.defined() || !data.is_eager())
    throw ValueError("Normalization '" + name() + "': adapt() needs an eager tensor of data");
  const Shape& shape = data.shape();
  if (shape.numel() == 0)
    throw ValueError("Normalization '" + name() + "': adapt() got no data (shape " +
                     shape.to_string() + ")");
  if (!built()) {
    // Built for data's shape, with every axis but the kept ones left open.
    const std::vector<int> keep = kept_axes(shape.rank());
    Shape open = shape;
    for (int d = 0; d < shape.rank(); ++d)
      if (std::find(keep.begin(), keep.end(), d) == keep.end()) open[d] = -1;
    ensure_built(open);
  }
  bool fits = shape.rank() == input_shape().rank();
  for (size_t i = 0; fits && i < keep_.size(); ++i)
    fits = shape[keep_[i]] == input_shape()[keep_[i]];
  if (!fits)
    throw ShapeError("Normalization '" + name() + "' is built for inputs of shape " +
                     input_shape().to_string() + "; adapt() got data of shape " +
                     shape.to_string());
  std::vector<int> reduce;
  int64_t count = 1;
  for (int d = 0; d < shape.rank(); ++d)
    if (std::find(keep_.begin(), keep_.end(), d) == keep_.end()) {
      reduce.push_back(d);
      count *= shape[d];
    }
  // In float64, so that large data sets lose nothing to float32 sums.
  const Tensor x = cast(data, DType::Float64);
  const Tensor m = reduce_mean(x, reduce, true);
  const Tensor var = reduce_mean(square(x - m), reduce);
  mean_.assign(reshape(m, mean_.shape()));
  variance_.assign(var);
  count_.assign(Tensor::scalar(static_cast<double>(count), DType::Int64));
}

json Normalization::get_config() const {
  json c = base_config();
  c["axis"] = o_.axis();
  c["invert"] = o_.invert();
  c["mean"] = o_.mean().defined() ? tensor_to_json(o_.mean()) : json(nullptr);
  c["variance"] = o_.variance().defined() ? tensor_to_json(o_.variance()) : json(nullptr);
  return c;
}

LayerPtr Normalization::from_config(const json& c) {
  LayerConfigReader r(c, "Normalization", {"axis", "invert", "mean", "variance"});
  NormalizationOptions o;
  // Absent: Keras's default -1; null: Keras's axis=None, no kept axis.
  if (c.contains("axis")) o.axis(r.axes("axis", {}));
  o.invert(r.boolean("invert", false));
  const json mean = r.raw("mean", nullptr), variance = r.raw("variance", nullptr);
  if (!mean.is_null()) o.mean(tensor_from_json(mean, "Normalization config 'mean'"));
  if (!variance.is_null())
    o.variance(tensor_from_json(variance, "Normalization config 'variance'"));
  auto layer = std::make_shared<Normalization>(o, r.name());
  r.apply_common(*layer);
  return layer;
}

}  // namespace nabla
