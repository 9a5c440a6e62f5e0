#include "layers/reshaping.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "framework/core/errors.h"
#include "framework/ops/ops.h"
#include "layers/layer_config.h"

namespace nabla {

Reshape::Reshape(Shape target_shape, std::string name)
    : LayerOf(std::move(name)), target_(target_shape) {
  int inferred = 0;
  for (int64_t d : target_) {
    if (d == -1) ++inferred;
    if (d == 0 || d < -1 || inferred > 1)
      throw ValueError("Reshape target_shape " + target_.to_string() +
                       " must hold positive dimensions and at most one -1");
  }
}

Shape Reshape::compute_output_shape(const Shape& input_shape) const {
  Shape out = target_.inserted(0, input_shape.rank() > 0 ? input_shape[0] : -1);
  int64_t known = 1, elements = 1;
  int unknown = -1;
  for (int i = 0; i < target_.rank(); ++i)
    if (target_[i] == -1)
      unknown = i;
    else
      known *= target_[i];
  for (int i = 1; i < input_shape.rank(); ++i) {
    if (input_shape[i] < 0) return out;  // decided at run time
    elements *= input_shape[i];
  }
  const bool fits = unknown >= 0 ? elements % known == 0 : elements == known;
  if (!fits)
    throw ShapeError("Reshape '" + name() + "' cannot reshape samples of shape " +
                     input_shape.erased(0).to_string() + " (" + std::to_string(elements) +
                     " elements) to target_shape " + target_.to_string());
  if (unknown >= 0) out[unknown + 1] = elements / known;
  return out;
}

void Reshape::build(const Shape& input_shape) {
  compute_output_shape(input_shape);
}

Tensor Reshape::call(const Tensor& x, CallContext&) {
  Shape out = compute_output_shape(x.shape());
  if (out.erased(0).is_fully_defined()) {
    out[0] = -1;  // the batch, whatever it is at run time
  } else if (x.shape()[0] < 0) {
    throw ShapeError("Reshape '" + name() + "' needs the sample shape known to infer a -1, got " +
                     x.shape().to_string());
  }
  return reshape(x, out);
}

nlohmann::json Reshape::get_config() const {
  nlohmann::json c = base_config();
  c["target_shape"] = target_.to_vector();
  return c;
}

LayerPtr Reshape::from_config(const nlohmann::json& c) {
  LayerConfigReader r(c, "Reshape", {"target_shape"});
  const nlohmann::json t = r.raw("target_shape", nullptr);
  Shape target;
  if (!t.is_array())
    throw ValueError("Reshape config: 'target_shape' must be a list, got " + t.dump());
  for (const auto& d : t) {
    if (!d.is_number_integer())
      throw ValueError("Reshape config: 'target_shape' must hold integers, got " + t.dump());
    target.push_back(d.get<int64_t>());
  }
  auto layer = std::make_shared<Reshape>(target, r.name());
  r.apply_common(*layer);
  return layer;
}

Permute::Permute(std::vector<int64_t> dims, std::string name)
    : LayerOf(std::move(name)), dims_(std::move(dims)) {
  std::vector<int64_t> sorted = dims_;
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 0; i < sorted.size(); ++i)
    if (sorted[i] != static_cast<int64_t>(i + 1)) {
      std::string list;
      for (int64_t d : dims_) list += (list.empty() ? "" : ", ") + std::to_string(d);
      throw ValueError("Permute dims (" + list + ") must be a permutation of 1.." +
                       std::to_string(dims_.size()) + " (the batch axis 0 stays first)");
    }
  if (dims_.empty()) throw ValueError("Permute needs at least one dim");
}

void Permute::check_rank(const Shape& input_shape) const {
  if (input_shape.rank() != static_cast<int>(dims_.size()) + 1)
    throw ShapeError("Permute '" + name() + "' permutes " + std::to_string(dims_.size()) +
                     " axes after the batch, got inputs of shape " + input_shape.to_string());
}

void Permute::build(const Shape& input_shape) {
  check_rank(input_shape);
}

Shape Permute::compute_output_shape(const Shape& input_shape) const {
  check_rank(input_shape);
  Shape out{input_shape[0]};
  for (int64_t d : dims_) out.push_back(input_shape[static_cast<int>(d)]);
  return out;
}

Tensor Permute::call(const Tensor& x, CallContext&) {
  check_rank(x.shape());
  std::vector<int> perm{0};
  for (int64_t d : dims_) perm.push_back(static_cast<int>(d));
  return transpose(x, perm);
}

nlohmann::json Permute::get_config() const {
  nlohmann::json c = base_config();
  c["dims"] = dims_;
  return c;
}

LayerPtr Permute::from_config(const nlohmann::json& c) {
  LayerConfigReader r(c, "Permute", {"dims"});
  if (!c.contains("dims")) throw ValueError("Permute config needs 'dims'");
  auto layer = std::make_shared<Permute>(r.axes("dims", {}), r.name());
  r.apply_common(*layer);
  return layer;
}

RepeatVector::RepeatVector(int64_t n, std::string name) : LayerOf(std::move(name)), n_(n) {
  if (n <= 0) throw ValueError("RepeatVector n must be positive, got " + std::to_string(n));
}

void RepeatVector::build(const Shape& input_shape) {
  if (input_shape.rank() != 2)
    throw ShapeError("RepeatVector '" + name() + "' takes inputs of shape (batch, features), got " +
                     input_shape.to_string());
}

Shape RepeatVector::compute_output_shape(const Shape& input_shape) const {
  return {input_shape[0], n_, input_shape.dim(-1)};
}

Tensor RepeatVector::call(const Tensor& x, CallContext&) {
  const Tensor row = expand_dims(x, 1);  // (batch, 1, features)
  return n_ == 1 ? row : concat(TensorList(static_cast<size_t>(n_), row), 1);
}

nlohmann::json RepeatVector::get_config() const {
  nlohmann::json c = base_config();
  c["n"] = n_;
  return c;
}

LayerPtr RepeatVector::from_config(const nlohmann::json& c) {
  LayerConfigReader r(c, "RepeatVector", {"n"});
  auto layer = std::make_shared<RepeatVector>(r.integer("n"), r.name());
  r.apply_common(*layer);
  return layer;
}

}  // namespace nabla
