#include "framework/keras/sequential.h"

#include <nlohmann/json.hpp>

#include "framework/core/errors.h"
#include "framework/keras/compiled_model.h"
#include "layers/input_layer.h"
#include "layers/layer_config.h"

namespace nabla {

Sequential::Sequential(std::vector<LayerRef> layers, std::string name)
    : name_(name.empty() ? default_layer_name("Sequential") : std::move(name)) {
  for (auto& l : layers) add(std::move(l));
}

Sequential::Sequential(std::initializer_list<LayerRef> layers, std::string name)
    : Sequential(std::vector<LayerRef>(layers), std::move(name)) {}

Sequential::~Sequential() = default;
Sequential::Sequential(Sequential&&) noexcept = default;
Sequential& Sequential::operator=(Sequential&&) noexcept = default;

void Sequential::add(LayerRef layer) {
  const LayerPtr& l = layer.get();
  if (!l) throw ValueError("Sequential::add: a null layer");
  if (compiled_) throw StateError("cannot add layers to model '" + name_ + "' after it has run");
  if (dynamic_cast<InputLayer*>(l.get()) && !layers_.empty())
    throw ValueError("an Input can only be the first layer of a Sequential model");
  for (const LayerPtr& other : layers_)
    if (other->name() == l->name())
      throw ValueError("model '" + name_ + "' already has a layer named '" + l->name() +
                       "': layer names must be unique");
  layers_.push_back(l);
  built_ = false;
  // A first layer that knows the input shape (an Input, or input_shape) builds the model as it
  // grows, as in Keras.
  if (layers_[0]->has_build_input_shape()) build(layers_[0]->build_input_shape()->erased(0));
}

void Sequential::pop() {
  if (layers_.empty()) throw StateError("pop(): model '" + name_ + "' has no layers");
  layers_.pop_back();
  invalidate_graph();
}

LayerPtr Sequential::get_layer(const std::string& name) const {
  std::vector<std::string> names;
  for (const LayerPtr& l : layers_) {
    if (l->name() == name) return l;
    names.push_back(l->name());
  }
  throw NotFoundError("model '" + name_ + "' has no layer '" + name + "'" +
                      did_you_mean(name, names));
}

void Sequential::build(const Shape& input_shape) {
  if (layers_.empty()) throw StateError("model '" + name_ + "' has no layers to build");
  Shape shape = input_shape.inserted(0, -1);
  for (const LayerPtr& l : layers_) {
    l->ensure_built(shape);
    shape = l->compute_output_shape(shape);
  }
  input_shape_ = input_shape.inserted(0, -1);
  built_ = true;
}

Shape Sequential::input_shape() const {
  if (!built_)
    throw StateError("model '" + name_ +
                     "' has no input shape yet: start it with Input({...}), give input_shape to "
                     "its first layer, call build(), or fit it on data");
  return input_shape_;
}

Shape Sequential::output_shape() const {
  Shape shape = input_shape();
  for (const LayerPtr& l : layers_) shape = l->compute_output_shape(shape);
  return shape;
}

Tensor Sequential::operator()(const Tensor& x, bool training) {
  CallContext ctx;
  ctx.training = training;
  return call(x, ctx);
}

Tensor Sequential::call(const Tensor& x, CallContext& ctx) {
  if (!built_) {
    if (x.rank() < 1)
      throw ShapeError("model '" + name_ + "' needs inputs with a batch axis, got a scalar");
    build(x.shape().erased(0));
  }
  check_input(x, "input");
  Tensor h = x;
  for (const LayerPtr& l : layers_) {
    if (h.is_symbolic()) {
      auto scope = h.graph()->name_scope(l->name());
      h = (*l)(h, ctx);
    } else {
      h = (*l)(h, ctx);
    }
  }
  return h;
}

void Sequential::check_input(const Tensor& x, const char* what) const {
  const Shape want = input_shape();
  const Shape& got = x.shape();
  bool ok = got.rank() == want.rank();
  for (int i = 1; ok && i < got.rank(); ++i) ok = want[i] < 0 || got[i] < 0 || want[i] == got[i];
  if (!ok)
    throw ShapeError("model '" + name_ + "' expects " + what + " of shape " + want.to_string() +
                     ", got " + got.to_string());
}

VariableList Sequential::weights() const {
  // As Keras: every trainable weight, then every non-trainable one.
  VariableList out = trainable_weights();
  for (const Variable& v : non_trainable_weights()) out.push_back(v);
  return out;
}

VariableList Sequential::trainable_weights() const {
  VariableList out;
  for (const LayerPtr& l : layers_)
    for (const Variable& v : l->trainable_weights()) out.push_back(v);
  return out;
}

VariableList Sequential::non_trainable_weights() const {
  VariableList out;
  for (const LayerPtr& l : layers_)
    for (const Variable& v : l->non_trainable_weights()) out.push_back(v);
  return out;
}

TensorList Sequential::get_weights() const {
  TensorList out;
  for (const Variable& v : weights()) out.push_back(v.value());
  return out;
}

void Sequential::set_weights(const TensorList& values) {
  const VariableList ws = weights();
  if (values.size() != ws.size())
    throw ValueError("model '" + name_ + "' has " + std::to_string(ws.size()) + " weights, got " +
                     std::to_string(values.size()) + " values");
  for (size_t i = 0; i < ws.size(); ++i)
    if (!values[i].is_eager() || values[i].shape() != ws[i].shape())
      throw ShapeError("model '" + name_ + "': weight '" + ws[i].name() + "' has shape " +
                       ws[i].shape().to_string() + ", got " + values[i].shape().to_string());
  for (size_t i = 0; i < ws.size(); ++i) {
    Variable v = ws[i];
    v.assign(values[i]);
  }
}

int64_t Sequential::count_params() const {
  int64_t n = 0;
  for (const LayerPtr& l : layers_) n += l->count_params();
  return n;
}

void Sequential::compile(OptimizerRef optimizer, LossRef loss, std::vector<MetricRef> metrics,
                         Device device) {
  if (!optimizer.get()) throw ValueError("compile: no optimizer");
  if (!loss.get()) throw ValueError("compile: no loss");
  for (const MetricRef& m : metrics) m.validate();  // unknown names fail here, not at fit
  optimizer_ = optimizer.get();
  loss_ = loss.get();
  metric_refs_ = std::move(metrics);
  metrics_.clear();
  device_ = device;
  invalidate_graph();
  stop_training = false;
}

Optimizer& Sequential::optimizer() const {
  if (!optimizer_) throw StateError("model '" + name_ + "' is not compiled: call compile() first");
  return *optimizer_;
}

Loss& Sequential::loss() const {
  if (!loss_) throw StateError("model '" + name_ + "' is not compiled: call compile() first");
  return *loss_;
}

std::vector<std::string> Sequential::metrics_names() const {
  std::vector<std::string> out{"loss"};
  for (const MetricPtr& m : metrics_) out.push_back(m->name());
  return out;
}

void Sequential::to(Device device) {
  for (const Variable& v : weights()) {
    Variable w = v;
    w.to(device);
  }
  if (optimizer_) optimizer_->to(device);
  if (device != device_) {
    device_ = device;
    invalidate_graph();
  }
}

void Sequential::invalidate_graph() {
  compiled_.reset();
}

CompiledModel& Sequential::ensure_graph(const Shape& data_shape) {
  if (!compiled())
    throw StateError("model '" + name_ +
                     "' is not compiled: call compile(optimizer, loss, metrics) first");
  if (!built_) {
    if (data_shape.rank() < 1)
      throw ShapeError("model '" + name_ + "' needs data with a batch axis");
    build(data_shape.erased(0));
  }
  if (!compiled_) {
    const int64_t out_dim = output_shape().rank() ? output_shape().dim(-1) : 1;
    metrics_.clear();
    for (const MetricRef& m : metric_refs_) metrics_.push_back(m.resolve(loss_.get(), out_dim));
    compiled_ = CompiledModel::build(*this, device_);
  }
  return *compiled_;
}

Graph& Sequential::graph() {
  return ensure_graph(input_shape()).graph;
}
Session& Sequential::session() {
  return *ensure_graph(input_shape()).session;
}
const CompiledModel& Sequential::compiled_model() {
  return ensure_graph(input_shape());
}

}  // namespace nabla
