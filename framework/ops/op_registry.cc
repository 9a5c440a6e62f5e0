#include <algorithm>

#include "framework/ops/op_helpers.h"

namespace nabla {

void InferContext::fail(const std::string& message) const {
  throw ShapeError(where() + ": " + message);
}

void InferContext::require_floating(int i) const {
  if (!is_floating(dtype(i)))
    throw TypeError(where() + ": input " + std::to_string(i) + " must be float32 or float64, got " +
                    dtype_name(dtype(i)));
}

void InferContext::require_same_dtype() const {
  for (int i = 1; i < num_inputs(); ++i)
    if (dtype(i) != dtype(0))
      throw TypeError(where() + ": inputs have different dtypes (" + dtype_name(dtype(0)) +
                      " and " + dtype_name(dtype(i)) + ")");
}

OpRegistry& OpRegistry::global() {
  static OpRegistry registry;
  return registry;
}

const char* op::builtin_name(int index) {
  static const char* const names[] = {
#define NABLA_OP_NAME(Name, ...) #Name,
      NABLA_BUILTIN_OPS(NABLA_OP_NAME)
#undef NABLA_OP_NAME
  };
  return index >= 0 && index < kBuiltinCount ? names[index] : "";
}

OpRegistry::OpRegistry() {
  defs_.resize(op::kBuiltinCount);
  // The three kinds of nodes that are not operations have op types too, without kernels: the
  // session binds them to feeds, variable storage and constant values.
  define(op::Placeholder, {});
  define(op::Const, {});
  define(op::Variable, {});
  register_math_ops(*this);
  register_reduce_ops(*this);
  register_array_ops(*this);
  register_nn_ops(*this);
  register_random_ops(*this);
  register_state_ops(*this);
  register_training_ops(*this);
  register_collective_ops(*this);
  std::string missing;
  for (int i = 0; i < op::kBuiltinCount; ++i)
    if (!defs_[i]) missing += std::string(missing.empty() ? "" : ", ") + op::builtin_name(i);
  if (!missing.empty()) throw StateError("ops of the op table without a definition: " + missing);
}

void OpRegistry::define(OpId id, OpDef def) {
  def.id = id;
  def.name = op::builtin_name(id.index());
  by_name_[def.name] = id;
  defs_[id.index()] = std::make_unique<OpDef>(std::move(def));
}

OpId OpRegistry::add(OpDef def) {
  if (auto it = by_name_.find(def.name); it != by_name_.end()) {
    def.id = it->second;
    *defs_[it->second.index()] = std::move(def);
    return it->second;
  }
  const OpId id(static_cast<uint16_t>(defs_.size()));
  def.id = id;
  by_name_[def.name] = id;
  defs_.push_back(std::make_unique<OpDef>(std::move(def)));
  return id;
}

const OpDef& OpRegistry::def(OpId id) const {
  if (!id.valid() || id.index() >= defs_.size() || !defs_[id.index()])
    throw StateError("no op has id " + std::to_string(id.index()));
  return *defs_[id.index()];
}

const OpDef* OpRegistry::find(const std::string& name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : defs_[it->second.index()].get();
}

const OpDef& OpRegistry::get(const std::string& name) const {
  if (const OpDef* d = find(name)) return *d;
  throw_unknown("op", name, names());
}

std::vector<OpId> OpRegistry::ids() const {
  std::vector<OpId> out;
  for (const auto& d : defs_)
    if (d) out.push_back(d->id);
  return out;
}

std::vector<std::string> OpRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& d : defs_)
    if (d) out.push_back(d->name);
  return out;
}

const OpDef& OpId::def() const {
  return OpRegistry::global().def(*this);
}

const std::string& OpId::name() const {
  return def().name;
}

namespace op_helpers {

TensorSpec same_as_input(const InferContext& c) {
  return c.inputs[0];
}

TensorSpec floating_unary(const InferContext& c) {
  c.require_floating(0);
  return c.inputs[0];
}

TensorSpec broadcast_binary(const InferContext& c, bool bool_output) {
  c.require_same_dtype();
  return {broadcast_shapes(c.shape(0), c.shape(1), c.where()),
          bool_output ? DType::Bool : c.dtype(0)};
}

TensorSpec no_output(const InferContext&) {
  return {Shape{}, DType::Float32};
}

Tensor op(OpId id, const TensorList& inputs, const Attrs& attrs) {
  return apply_op(id, inputs, attrs);
}

Tensor unbroadcast(const Tensor& g, const Tensor& x) {
  if (!g.defined()) return g;
  if (g.shape() == x.shape()) return g;
  return apply_op(op::ReduceToShapeOf, {g, x});
}

std::vector<int64_t> normalized_axes(const std::vector<int64_t>& axes, int rank,
                                     const std::string& where) {
  std::vector<int64_t> out;
  if (axes.empty()) {
    for (int i = 0; i < rank; ++i) out.push_back(i);
    return out;
  }
  for (int64_t a : axes) out.push_back(normalize_axis(static_cast<int>(a), rank, where));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Tensor unreduce(const Tensor& g, const Tensor& x, const std::vector<int64_t>& axes, bool keepdims) {
  Tensor expanded = g;
  if (!keepdims) {
    for (int64_t a : normalized_axes(axes, x.rank(), "reduce gradient"))
      expanded = expand_dims(expanded, static_cast<int>(a));
  }
  return apply_op(op::BroadcastLike, {expanded, x});
}

}  // namespace op_helpers
}  // namespace nabla
