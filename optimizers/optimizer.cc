#include "optimizers/optimizer.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "framework/autodiff/gradients.h"
#include "framework/graph/graph.h"
#include "framework/graph/node.h"
#include "framework/ops/dispatch.h"
#include "framework/ops/ops.h"

namespace nabla {
namespace {

nlohmann::json optional_json(const std::optional<double>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

// Keras 3's slot name: the variable's name made path-safe, then the slot.
std::string slot_variable_name(const std::string& optimizer, const std::string& variable,
                               const std::string& slot) {
  std::string safe = variable;
  for (char& c : safe)
    if (c == '/' || c == ':') c = '_';
  return optimizer + "/" + safe + "_" + slot;
}

// The graph an update of these gradients and variables goes to (nullptr: eager).
Graph* graph_of(const TensorList& grads, const VariableList& variables) {
  for (size_t i = 0; i < grads.size(); ++i) {
    if (!grads[i].defined()) continue;
    if (grads[i].is_symbolic()) return grads[i].graph();
    const Tensor read = variables[i].read();
    if (read.is_symbolic()) return read.graph();
  }
  return nullptr;
}

void check_gradient(const Tensor& grad, const Variable& variable, size_t index) {
  const Shape& g = grad.shape();
  const Shape& v = variable.shape();
  bool fits = g.rank() == v.rank();
  for (int a = 0; fits && a < g.rank(); ++a) fits = g[a] == v[a] || g[a] < 0;
  if (!fits)
    throw ValueError("apply_gradients: the gradient of variable '" + variable.name() + "' (#" +
                     std::to_string(index) + ") has shape " + g.to_string() +
                     " but the variable has shape " + v.to_string());
  if (!is_floating(grad.dtype()))
    throw TypeError("apply_gradients: the gradient of variable '" + variable.name() + "' is " +
                    dtype_name(grad.dtype()) + ", not a floating-point type");
}

}  // namespace

Optimizer::Optimizer(std::string name, OptimizerOptions options)
    : name_(std::move(name)), options_(std::move(options)) {
  const int clips = options_.clipnorm().has_value() + options_.clipvalue().has_value() +
                    options_.global_clipnorm().has_value();
  if (clips > 1)
    throw ValueError(name_ + ": only one of clipnorm, clipvalue and global_clipnorm can be set");
  iterations_ = Variable(Tensor::scalar(0, DType::Int64), name_ + "/iteration", false);
  const double lr = has_schedule() ? (*options_.schedule())(0) : options_.learning_rate();
  learning_rate_ = Variable(Tensor::scalar(lr), name_ + "/learning_rate", false);
}

Tensor Optimizer::apply_gradients(const TensorList& grads, const VariableList& variables) {
  if (grads.size() != variables.size())
    throw ValueError("apply_gradients: " + std::to_string(grads.size()) + " gradients for " +
                     std::to_string(variables.size()) + " variables");
  TensorList g;
  VariableList v;
  for (size_t i = 0; i < grads.size(); ++i) {
    if (!variables[i].defined())
      throw ValueError("apply_gradients: variable #" + std::to_string(i) + " is undefined");
    if (!grads[i].defined()) continue;
    check_gradient(grads[i], variables[i], i);
    g.push_back(grads[i].dtype() == variables[i].dtype() ? grads[i]
                                                         : cast(grads[i], variables[i].dtype()));
    v.push_back(variables[i]);
  }
  if (v.empty())
    throw ValueError("apply_gradients: no gradient for any of the " +
                     std::to_string(variables.size()) + " variables");
  Graph* graph = graph_of(grads, variables);
  if (!graph) to(v.front().device());
  // In graph mode this sets the value the op's first run reads.
  prepare_step();
  g = clip(g);

  Tensor lr = learning_rate_.read(), iterations = iterations_.read();
  if (graph) lr = graph->capture(lr), iterations = graph->capture(iterations);
  TensorList ops;
  for (size_t k = 0; k < v.size(); ++k)
    ops.push_back(update(v[k], g[k], slots(v[k]), lr, iterations));
  ops.push_back(finish_step(iterations));
  ops.push_back(assign_add(iterations, Tensor::scalar(1, DType::Int64).to(iterations_.device())));
  return group(ops, name_);
}

Tensor Optimizer::minimize(const Tensor& loss, const VariableList& variables) {
  if (!loss.defined() || !loss.is_symbolic())
    throw ValueError(
        "minimize() needs a symbolic loss; for eager code take the gradients with "
        "a GradientTape and call apply_gradients()");
  return apply_gradients(gradients(loss, variables), variables);
}

TensorList Optimizer::clip(const TensorList& grads) const {
  TensorList out;
  if (options_.clipnorm() && *options_.clipnorm() > 0) {
    const double c = *options_.clipnorm();
    for (const Tensor& g : grads) out.push_back(g * c / maximum(sqrt(reduce_sum(square(g))), c));
  } else if (options_.global_clipnorm() && *options_.global_clipnorm() > 0) {
    const double c = *options_.global_clipnorm();
    TensorList squares;
    for (const Tensor& g : grads)
      squares.push_back(cast(reduce_sum(square(g)), grads.front().dtype()));
    const Tensor norm = sqrt(add_n(squares));
    // norm - norm makes the scale NaN when the norm is not finite, as Keras does.
    const Tensor scale = minimum(reciprocal(norm), 1.0 / c) * c + (norm - norm);
    for (const Tensor& g : grads) out.push_back(g * cast(scale, g.dtype()));
  } else if (options_.clipvalue() && *options_.clipvalue() > 0) {
    const double c = *options_.clipvalue();
    for (const Tensor& g : grads) out.push_back(clip_by_value(g, -c, c));
  } else {
    return grads;
  }
  return out;
}

int64_t Optimizer::iterations_value() const {
  return iterations_.value().to(Device::CPU).item<int64_t>();
}

double Optimizer::learning_rate() const {
  if (has_schedule()) return (*options_.schedule())(iterations_value());
  return learning_rate_.value().to(Device::CPU).item<double>();
}

void Optimizer::set_learning_rate(double lr) {
  if (has_schedule())
    throw StateError(name_ + ": the learning rate follows a " + options_.schedule()->class_name() +
                     " schedule and cannot be set; make the optimizer with a number instead");
  options_.learning_rate(lr);
  learning_rate_.assign(Tensor::scalar(lr));
}

void Optimizer::prepare_step() {
  if (has_schedule())
    learning_rate_.assign(Tensor::scalar((*options_.schedule())(iterations_value())));
}

VariableList Optimizer::variables() const {
  VariableList all{iterations_};
  for (const auto& [variable, slots] : slots_) all.insert(all.end(), slots.begin(), slots.end());
  all.insert(all.end(), other_state_.begin(), other_state_.end());
  return all;
}

VariableList Optimizer::variables_in_keras_order() const {
  const std::vector<std::string> names = slot_names();
  VariableList all{iterations_};
  for (const std::vector<std::string>& group : keras_slot_groups())
    for (const auto& [variable, slots] : slots_)
      for (const std::string& slot : group)
        all.push_back(slots[std::find(names.begin(), names.end(), slot) - names.begin()]);
  all.insert(all.end(), other_state_.begin(), other_state_.end());
  return all;
}

const VariableList& Optimizer::slots(const Variable& variable) {
  auto it = slot_index_.find(variable.state_ptr().get());
  if (it != slot_index_.end()) return slots_[it->second].second;
  VariableList made;
  for (const std::string& slot : slot_names()) {
    const Tensor init = Tensor::full(variable.shape(), slot_initial_value(slot), variable.dtype(),
                                     variable.device());
    made.emplace_back(init, slot_variable_name(name_, variable.name(), slot), false);
  }
  slot_index_[variable.state_ptr().get()] = slots_.size();
  slots_.emplace_back(variable, std::move(made));
  return slots_.back().second;
}

void Optimizer::to(Device device) {
  learning_rate_.to(device);
  for (Variable v : variables()) v.to(device);
}

nlohmann::json Optimizer::base_config() const {
  return {{"name", name_},
          {"learning_rate",
           has_schedule() ? options_.schedule()->get_config() : nlohmann::json(learning_rate())},
          {"weight_decay", optional_json(options_.weight_decay())},
          {"clipnorm", optional_json(options_.clipnorm())},
          {"global_clipnorm", optional_json(options_.global_clipnorm())},
          {"clipvalue", optional_json(options_.clipvalue())},
          {"use_ema", false},
          {"ema_momentum", 0.99},
          {"ema_overwrite_frequency", nullptr},
          {"loss_scale_factor", nullptr},
          {"gradient_accumulation_steps", nullptr}};
}

nlohmann::json Optimizer::get_config() const {
  return base_config();
}

Attrs Optimizer::update_attrs() const {
  return {{"weight_decay", weight_decay()}};
}

Tensor Optimizer::update_op(OpId op, const Variable& variable, const Tensor& grad, const Tensor& lr,
                            const Tensor& iterations, const TensorList& slots,
                            const Attrs& attrs) const {
  Attrs all = update_attrs();
  for (const auto& [key, value] : attrs.entries()) all.set(key, value);
  // The kernels read the learning rate as the variable's type, whatever its own.
  const Tensor typed_lr = lr.dtype() == variable.dtype() ? lr : cast(lr, variable.dtype());
  TensorList inputs{variable.read(), grad, typed_lr, iterations};
  inputs.insert(inputs.end(), slots.begin(), slots.end());
  return apply_op(op, inputs, all);
}

void Optimizer::track_variable(const Variable& variable) {
  other_state_.push_back(variable);
}

Tensor Optimizer::read_for_step(const Variable& variable, const Tensor& like) {
  return like.is_symbolic() ? like.graph()->capture(variable.read()) : variable.read();
}

}  // namespace nabla
