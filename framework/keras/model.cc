// Model: the parts every kind of model shares — structure queries, weights, compile, devices.
// The training loops are in trainer.cc, files in checkpoint.cc, JSON in model_config.cc.
#include "framework/keras/model.h"

#include <sstream>

#include "framework/core/errors.h"
#include "framework/keras/checkpoint.h"
#include "framework/keras/model_layer.h"
#include "framework/keras/model_state.h"
#include "framework/keras/train_step.h"
#include "layers/keras_tensor.h"

namespace nabla {

Model::Model() = default;
Model::~Model() = default;
Model::Model(const Model&) = default;
Model& Model::operator=(const Model&) = default;
Model::Model(Model&&) noexcept = default;
Model& Model::operator=(Model&&) noexcept = default;
Model::Model(std::shared_ptr<detail::ModelState> state) : state_(std::move(state)) {}

detail::ModelState& Model::state() const {
  if (!state_) throw StateError("use of an empty Model handle (no model)");
  return *state_;
}

std::string Model::class_name() const {
  return state().arch->class_name();
}
const std::string& Model::name() const {
  return state().name;
}

std::vector<LayerPtr> Model::layers() const {
  return state().arch->layers();
}

LayerPtr Model::get_layer(const std::string& name) const {
  std::vector<std::string> names;
  for (const LayerPtr& l : layers()) {
    if (l->name() == name) return l;
    names.push_back(l->name());
  }
  throw NotFoundError("model '" + this->name() + "' has no layer '" + name + "'" +
                      did_you_mean(name, names));
}

bool Model::built() const {
  return state().arch->built();
}

void Model::build(const Shape& input_shape) {
  detail::ChangeGuard change(state(), "build");
  state().arch->build({input_shape.inserted(0, -1)});
  state().invalidate_step();
}

std::vector<Shape> Model::input_shapes() const {
  if (!built())
    throw StateError("model '" + name() +
                     "' has no input shape yet: start it with Input({...}), give input_shape to "
                     "its first layer, call build(), or fit it on data");
  return state().arch->input_shapes();
}

std::vector<Shape> Model::output_shapes() const {
  input_shapes();  // the same error before building
  return state().arch->output_shapes();
}

Shape Model::input_shape() const {
  const std::vector<Shape> shapes = input_shapes();
  if (shapes.size() != 1)
    throw ValueError("model '" + name() + "' has " + std::to_string(shapes.size()) +
                     " inputs: use input_shapes()");
  return shapes[0];
}

Shape Model::output_shape() const {
  const std::vector<Shape> shapes = output_shapes();
  if (shapes.size() != 1)
    throw ValueError("model '" + name() + "' has " + std::to_string(shapes.size()) +
                     " outputs: use output_shapes()");
  return shapes[0];
}

void Model::check_input(const Tensor& x, const char* what) const {
  const Shape want = input_shape();
  const Shape& got = x.shape();
  bool ok = got.rank() == want.rank();
  for (int i = 1; ok && i < got.rank(); ++i) ok = want[i] < 0 || got[i] < 0 || want[i] == got[i];
  if (!ok)
    throw ShapeError("model '" + name() + "' expects " + what + " of shape " + want.to_string() +
                     ", got " + got.to_string());
}

Tensor Model::operator()(const Tensor& x, bool training) {
  CallContext ctx;
  ctx.training = training;
  return call(x, ctx);
}

Tensor Model::call(const Tensor& x, CallContext& ctx) {
  const TensorList out = call(TensorList{x}, ctx);
  if (out.size() != 1)
    throw ValueError("model '" + name() + "' has " + std::to_string(out.size()) +
                     " outputs: call it with a list of inputs");
  return out[0];
}

std::vector<std::string> Model::input_names() const {
  return state().arch->input_names();
}
std::vector<std::string> Model::output_names() const {
  return state().arch->output_names();
}

LayerPtr Model::as_layer() const {
  detail::ModelState& s = state();
  std::lock_guard<std::mutex> lock(s.step_mutex);
  if (LayerPtr layer = s.as_layer.lock()) return layer;
  LayerPtr layer = std::make_shared<ModelLayer>(*this);
  s.as_layer = layer;
  return layer;
}

TensorList Model::call(const TensorList& inputs, CallContext& ctx) {
  // Called on Keras tensors, the model is a layer of the functional model being built.
  if (!inputs.empty() && is_keras_tensor(inputs[0])) return (*as_layer())(inputs, ctx);
  detail::Architecture& arch = *state().arch;
  if (!arch.built()) {
    std::vector<Shape> shapes;
    for (const Tensor& x : inputs) {
      if (x.rank() < 1)
        throw ShapeError("model '" + name() + "' needs inputs with a batch axis, got a scalar");
      shapes.push_back(x.shape().erased(0).inserted(0, -1));
    }
    arch.build(shapes);
  }
  if (inputs.size() == 1) check_input(inputs[0], "input");
  return arch.call(inputs, ctx);
}

VariableList Model::weights() const {
  // As Keras: every trainable weight, then every non-trainable one.
  VariableList out = trainable_weights();
  for (const Variable& v : non_trainable_weights()) out.push_back(v);
  return out;
}

VariableList Model::trainable_weights() const {
  VariableList out;
  for (const LayerPtr& l : layers())
    for (const Variable& v : l->trainable_weights()) out.push_back(v);
  return out;
}

VariableList Model::non_trainable_weights() const {
  VariableList out;
  for (const LayerPtr& l : layers())
    for (const Variable& v : l->non_trainable_weights()) out.push_back(v);
  return out;
}

TensorList Model::get_weights() const {
  TensorList out;
  for (const Variable& v : weights()) out.push_back(v.value());
  return out;
}

void Model::set_weights(const TensorList& values) {
  const VariableList ws = weights();
  if (values.size() != ws.size())
    throw ValueError("model '" + name() + "' has " + std::to_string(ws.size()) + " weights, got " +
                     std::to_string(values.size()) + " values");
  for (size_t i = 0; i < ws.size(); ++i)
    if (!values[i].is_eager() || values[i].shape() != ws[i].shape())
      throw ShapeError("model '" + name() + "': weight '" + ws[i].name() + "' has shape " +
                       ws[i].shape().to_string() + ", got " + values[i].shape().to_string());
  for (size_t i = 0; i < ws.size(); ++i) {
    Variable v = ws[i];
    v.assign(values[i]);
  }
}

int64_t Model::count_params() const {
  int64_t n = 0;
  for (const LayerPtr& l : layers()) n += l->count_params();
  return n;
}

std::string Model::summary() const {
  std::ostringstream os;
  summary(os);
  return os.str();
}

void Model::compile(OptimizerRef optimizer, LossRef loss, std::vector<MetricRef> metrics,
                    Device device) {
  detail::ChangeGuard change(state(), "compile");
  if (!optimizer.get()) throw ValueError("compile: no optimizer");
  if (!loss.get()) throw ValueError("compile: no loss");
  for (const MetricRef& m : metrics) m.validate();  // unknown names fail here, not at fit
  detail::ModelState& s = state();
  s.optimizer = optimizer.get();
  s.loss = loss.get();
  s.output_losses.clear();
  s.loss_weights.clear();
  s.output_metric_refs.clear();
  s.metric_refs = std::move(metrics);
  s.metrics.clear();
  s.device = device;
  s.stop_training = false;
  s.invalidate_step();
}

void Model::compile(OptimizerRef optimizer, std::map<std::string, LossRef> losses,
                    std::map<std::string, std::vector<MetricRef>> metrics,
                    std::map<std::string, double> loss_weights, Device device) {
  detail::ChangeGuard change(state(), "compile");
  if (!optimizer.get()) throw ValueError("compile: no optimizer");
  if (losses.empty()) throw ValueError("compile: no loss");
  detail::ModelState& s = state();
  std::map<std::string, LossPtr> by_output;
  for (const auto& [name, loss] : losses) {
    if (!loss.get()) throw ValueError("compile: no loss for output '" + name + "'");
    by_output[name] = loss.get();
  }
  for (const auto& [name, refs] : metrics)
    for (const MetricRef& m : refs) m.validate();
  s.optimizer = optimizer.get();
  s.loss = nullptr;
  s.output_losses = std::move(by_output);
  s.loss_weights = std::move(loss_weights);
  s.metric_refs.clear();
  s.output_metric_refs = std::move(metrics);
  s.metrics.clear();
  s.device = device;
  s.stop_training = false;
  s.invalidate_step();
}

bool Model::compiled() const {
  return state().optimizer != nullptr;
}

bool Model::stop_training() const {
  return state().stop_training;
}
void Model::set_stop_training(bool stop) {
  state().stop_training = stop;
}

Optimizer& Model::optimizer() const {
  if (!state().optimizer)
    throw StateError("model '" + name() + "' is not compiled: call compile() first");
  return *state().optimizer;
}

Loss& Model::loss() const {
  const detail::ModelState& s = state();
  if (!s.optimizer)
    throw StateError("model '" + name() + "' is not compiled: call compile() first");
  if (!s.loss) throw StateError("model '" + name() + "' has a loss per output: use losses()");
  return *s.loss;
}

const std::vector<LossPtr>& Model::losses() const {
  return state().losses;
}

const std::vector<MetricPtr>& Model::metrics() const {
  return state().metrics;
}

std::vector<std::string> Model::metrics_names() const {
  const detail::ModelState& s = state();
  std::vector<std::string> out{"loss"};
  if (s.losses.size() > 1)
    for (const std::string& n : s.arch->output_names()) out.push_back(n + "_loss");
  out.insert(out.end(), s.metric_names.begin(), s.metric_names.end());
  return out;
}

void Model::set_gradient_transform(GradientTransform transform) {
  detail::ChangeGuard change(state(), "set_gradient_transform");
  state().gradient_transform = std::move(transform);
  state().invalidate_step();
}

void Model::to(Device device) {
  detail::ChangeGuard change(state(), "to");
  for (const Variable& v : weights()) {
    Variable w = v;
    w.to(device);
  }
  detail::ModelState& s = state();
  if (s.optimizer) s.optimizer->to(device);
  if (device != s.device) {
    s.device = device;
    s.invalidate_step();
  }
}

Device Model::device() const {
  return state().device;
}

TrainStep& Model::train_step() {
  return state().ensure_step(*this, input_shapes());
}
Graph& Model::graph() {
  return train_step().graph;
}
Session& Model::session() {
  return *train_step().session;
}

void Model::save(const std::string& path) const {
  save_model(*this, path);
}
void Model::save_weights(const std::string& path) const {
  nabla::save_weights(*this, path);
}
void Model::load_weights(const std::string& path) {
  nabla::load_weights(*this, path);
}

}  // namespace nabla
