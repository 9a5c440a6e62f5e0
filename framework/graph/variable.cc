#include "framework/graph/variable.h"

#include <cmath>

#include "framework/core/tensor_impl.h"
#include "framework/graph/graph.h"
#include "framework/ops/ops.h"

namespace nabla {

Variable::Variable(const Tensor& initial_value, const std::string& name, bool trainable) {
  if (!initial_value.is_eager())
    throw ValueError("Variable '" + name +
                     "' needs an eager initial value; use graph.variable() for a symbolic one");
  state_ = std::make_shared<VariableState>();
  state_->name = name;
  state_->dtype = initial_value.dtype();
  state_->shape = initial_value.shape();
  state_->trainable = trainable;
  state_->id = detail::next_tensor_id();
  state_->storage = initial_value.clone().storage();
}

Tensor Variable::read() const {
  const VariableState& s = state();
  if (s.home_graph) return s.home_graph->variable_node(state_)->output();
  if (!s.storage) throw StateError("variable '" + s.name + "' is used before it is initialised");
  return Tensor::make_variable_read(s.storage, s.shape, s.dtype, state_, s.id);
}

VariableState& Variable::state() const {
  if (!state_) throw StateError("use of an undefined Variable");
  return *state_;
}

Device Variable::device() const {
  return state().storage ? state().storage->device() : Device::CPU;
}

Tensor Variable::value() const {
  const VariableState& s = state();
  if (!s.storage)
    throw StateError("variable '" + s.name +
                     "' is used before it is initialised: run session.initialize() or its "
                     "initializer() op first");
  return Tensor::make_eager(s.storage, s.shape, s.dtype).clone();
}

void Variable::assign(const Tensor& value) {
  VariableState& s = state();
  if (!value.is_eager())
    throw ValueError("Variable::assign('" + s.name + "') needs an eager tensor");
  if (value.shape() != s.shape)
    throw ShapeError("cannot assign a value of shape " + value.shape().to_string() +
                     " to variable '" + s.name + "' of shape " + s.shape.to_string());
  Tensor converted = value.dtype() == s.dtype ? value : cast(value, s.dtype);
  const Device device = s.storage ? s.storage->device() : converted.device();
  if (!s.storage)
    s.storage =
        Storage::allocate(device, converted.storage()->bytes(), "variable '" + s.name + "'");
  // Copy into the existing storage: plans hold its address, so it must never move here.
  copy_bytes(s.storage->data(), device, converted.raw_data(), converted.device(),
             s.storage->bytes());
}

void Variable::to(Device device) {
  VariableState& s = state();
  if (!s.storage || s.storage->device() == device) return;
  auto moved = Storage::allocate(device, s.storage->bytes(), "variable '" + s.name + "'");
  copy_bytes(moved->data(), device, s.storage->data(), s.storage->device(), s.storage->bytes());
  s.storage = std::move(moved);
}

Tensor Variable::initializer() const {
  const VariableState& s = state();
  if (!s.home_graph || !s.initial_value)
    throw StateError("variable '" + s.name +
                     "' has no initializer op (it is not a graph variable)");
  Graph& g = *s.home_graph;
  if (!s.initializer)
    state_->initializer =
        g.add_operation(op::Assign, {g.variable_node(state_)->output(), s.initial_value->output()},
                        {}, s.name + "/Assign")
            .node();
  return s.initializer->output();
}

TensorList reads(const VariableList& variables) {
  TensorList out;
  out.reserve(variables.size());
  for (const Variable& v : variables) out.push_back(v.read());
  return out;
}

bool all_finite(const VariableList& variables) {
  for (const Variable& v : variables) {
    if (!v.initialized() || !is_floating(v.dtype())) continue;
    for (double x : v.value().to_vector<double>())
      if (!std::isfinite(x)) return false;
  }
  return true;
}

}  // namespace nabla
