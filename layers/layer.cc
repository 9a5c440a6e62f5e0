#include "layers/layer.h"

#include <atomic>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>
#include <unordered_map>

#include "framework/core/errors.h"
#include "framework/graph/graph.h"
#include "framework/ops/ops.h"
#include "layers/keras_tensor.h"
#include "layers/layer_config.h"

namespace nabla {

namespace {

std::mutex names_mutex;
std::map<std::string, int> name_counts;

// Keras's to_snake_case: "BatchNormalization" -> "batch_normalization", "LeakyReLU" ->
// "leaky_re_lu".
std::string snake_case(const std::string& class_name) {
  static const std::regex word("(.)([A-Z][a-z0-9]+)"), hump("([a-z])([A-Z])");
  std::string s = std::regex_replace(class_name, word, "$1_$2");
  s = std::regex_replace(s, hump, "$1_$2");
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

void reset_layer_names() {
  std::lock_guard<std::mutex> lock(names_mutex);
  name_counts.clear();
}

std::string default_layer_name(const std::string& class_name) {
  const std::string base = snake_case(class_name);
  std::lock_guard<std::mutex> lock(names_mutex);
  const int n = name_counts[base]++;
  return n == 0 ? base : base + "_" + std::to_string(n);
}

namespace {
std::atomic<uint64_t> next_identity{1};
}  // namespace

Layer::Layer(std::string name) : name_(std::move(name)), identity_(next_identity++) {}

Layer::Layer(const Layer& o)
    : std::enable_shared_from_this<Layer>(),
      name_(o.name_),
      identity_(o.identity_),
      built_(o.built_),
      trainable_(o.trainable_),
      input_shape_(o.input_shape_),
      build_input_shape_(o.build_input_shape_),
      weights_(o.weights_),
      weight_trainable_(o.weight_trainable_),
      regularized_(o.regularized_) {}  // the recorded calls stay with the original

Layer& Layer::operator=(const Layer& o) {
  if (this == &o) return *this;
  name_ = o.name_;
  identity_ = o.identity_;
  built_ = o.built_;
  trainable_ = o.trainable_;
  input_shape_ = o.input_shape_;
  build_input_shape_ = o.build_input_shape_;
  weights_ = o.weights_;
  weight_trainable_ = o.weight_trainable_;
  regularized_ = o.regularized_;
  return *this;
}

const std::string& Layer::name() const {
  if (name_.empty()) name_ = default_layer_name(class_name());
  return name_;
}

void Layer::ensure_built(const Shape& input_shape) {
  if (built_) return;
  name();
  input_shape_ = input_shape;
  build(input_shape);
  built_ = true;
}

Tensor Layer::operator()(const Tensor& x, bool training) {
  CallContext ctx;
  ctx.training = training;
  return (*this)(x, ctx);
}

Tensor Layer::operator()(const Tensor& x, CallContext& ctx) {
  if (is_keras_tensor(x)) return record_call({x})[0];
  if (num_inputs() != 1) return (*this)(TensorList{x}, ctx)[0];
  Shape shape = x.shape();
  if (shape.rank() > 0) shape[0] = -1;  // weights never depend on the batch size
  if (!built_) ensure_built(shape);
  check_input_shape(shape, x.shape());
  if (x.is_symbolic()) {
    auto capture = x.graph()->capture_variables();
    return call(x, ctx);
  }
  return call(x, ctx);
}

void Layer::check_input_shape(const Shape& shape, const Shape& given) const {
  // Every axis but the batch must agree (an unknown dimension on either side matches).
  bool fits = input_shape_.rank() == shape.rank();
  for (int i = 1; fits && i < shape.rank(); ++i)
    fits = input_shape_[i] < 0 || shape[i] < 0 || input_shape_[i] == shape[i];
  if (!fits)
    throw ShapeError("layer '" + name() + "' (" + class_name() +
                     ") was built for inputs of shape " + input_shape_.to_string() + ", got " +
                     given.to_string());
}

TensorList Layer::operator()(const TensorList& inputs, bool training) {
  CallContext ctx;
  ctx.training = training;
  return (*this)(inputs, ctx);
}

TensorList Layer::operator()(const TensorList& inputs, CallContext& ctx) {
  size_t keras = 0;
  for (const Tensor& t : inputs) keras += is_keras_tensor(t);
  if (keras > 0) {
    if (keras != inputs.size())
      throw ValueError("layer '" + name() + "' (" + class_name() +
                       ") is called on Keras tensors and other tensors at once");
    return record_call(inputs);
  }
  if (num_inputs() == 1) {
    if (inputs.size() != 1)
      throw ValueError("layer '" + name() + "' (" + class_name() + ") takes one input, got " +
                       std::to_string(inputs.size()));
    return {(*this)(inputs[0], ctx)};
  }
  std::vector<Shape> shapes;
  for (const Tensor& t : inputs) {
    Shape shape = t.shape();
    if (shape.rank() > 0) shape[0] = -1;
    shapes.push_back(shape);
  }
  ensure_built(shapes);
  for (const Tensor& t : inputs)
    if (t.is_symbolic()) {
      auto capture = t.graph()->capture_variables();
      return call_inputs(inputs, ctx);
    }
  return call_inputs(inputs, ctx);
}

TensorList Layer::call_inputs(const TensorList& inputs, CallContext& ctx) {
  if (inputs.size() != 1)
    throw ValueError("layer '" + name() + "' (" + class_name() + ") takes one input, got " +
                     std::to_string(inputs.size()));
  return {call(inputs[0], ctx)};
}

void Layer::build_inputs(const std::vector<Shape>& input_shapes) {
  build(input_shapes.at(0));
}

std::vector<Shape> Layer::compute_output_shapes(const std::vector<Shape>& input_shapes) const {
  return {compute_output_shape(input_shapes.at(0))};
}

void Layer::ensure_built(const std::vector<Shape>& input_shapes) {
  if (num_inputs() == 1 && input_shapes.size() == 1) return ensure_built(input_shapes[0]);
  if (built_) return;
  name();
  input_shape_ = input_shapes.empty() ? Shape() : input_shapes[0];
  build_inputs(input_shapes);
  built_ = true;
}

std::shared_ptr<Layer> Layer::recording_owner() {
  static std::mutex mutex;
  static std::unordered_map<uint64_t, std::weak_ptr<Layer>> owners;  // by identity
  std::lock_guard<std::mutex> lock(mutex);
  std::weak_ptr<Layer>& known = owners[identity_];
  if (auto self = weak_from_this().lock()) {
    if (!known.lock()) known = self;
    return self;
  }
  if (auto owner = known.lock()) return owner;
  LayerPtr copy = clone();
  known = copy;
  return copy;
}

TensorList Layer::record_call(const TensorList& inputs) {
  if (num_inputs() >= 0 && static_cast<int>(inputs.size()) != num_inputs())
    throw ValueError("layer '" + name() + "' (" + class_name() + ") takes " +
                     std::to_string(num_inputs()) + " input" + (num_inputs() == 1 ? "" : "s") +
                     ", got " + std::to_string(inputs.size()));
  if (inputs.empty())
    throw ValueError("layer '" + name() + "' (" + class_name() + ") called on no inputs");
  std::vector<Shape> shapes;
  for (size_t i = 0; i < inputs.size(); ++i) {
    keras_history(inputs[i], "input " + std::to_string(i) + " of layer '" + name() + "'");
    shapes.push_back(inputs[i].shape());
  }
  ensure_built(shapes);  // before the copy below, so that it shares the weights
  if (num_inputs() == 1) check_input_shape(shapes[0], inputs[0].shape());
  LayerPtr owner = recording_owner();
  const std::vector<Shape> out_shapes = owner->compute_output_shapes(shapes);
  const int node_index = static_cast<int>(owner->inbound_nodes_.size());
  Node node{inputs, {}};
  TensorList outputs;
  for (size_t i = 0; i < out_shapes.size(); ++i) {
    // Appended piece by piece: `"_" + std::to_string(...)` trips GCC 12's -Wrestrict.
    std::string name = owner->name();
    if (node_index) name.append("_").append(std::to_string(node_index));
    if (out_shapes.size() > 1) name.append("_").append(std::to_string(i));
    const Tensor t = make_keras_tensor(out_shapes[i], DType::Float32, owner, node_index,
                                       static_cast<int>(i), name);
    node.outputs.push_back(t);
    outputs.push_back(t.keeping_alive(owner));
  }
  owner->inbound_nodes_.push_back(std::move(node));
  return outputs;
}

Tensor Layer::keras_input_tensor(const Shape& shape) {
  LayerPtr owner = recording_owner();
  if (owner->inbound_nodes_.empty()) {
    const Tensor t = make_keras_tensor(shape, DType::Float32, owner, 0, 0, owner->name());
    owner->inbound_nodes_.push_back({{}, {t}});
  }
  return owner->inbound_nodes_[0].outputs[0].keeping_alive(owner);
}

Variable Layer::add_weight(const std::string& name, const Shape& shape,
                           const Initializer& initializer, bool trainable,
                           const RegularizerPtr& regularizer, DType dtype) {
  Variable v(initializer(shape, dtype), this->name() + "/" + name, trainable);
  weights_.push_back(v);
  weight_trainable_.push_back(trainable);
  if (regularizer) regularized_.emplace_back(v, regularizer);
  return v;
}

VariableList Layer::trainable_weights() const {
  VariableList out;
  if (!trainable_) return out;
  for (size_t i = 0; i < weights_.size(); ++i)
    if (weight_trainable_[i]) out.push_back(weights_[i]);
  return out;
}

VariableList Layer::non_trainable_weights() const {
  VariableList out;
  for (size_t i = 0; i < weights_.size(); ++i)
    if (!weight_trainable_[i] || !trainable_) out.push_back(weights_[i]);
  return out;
}

VariableList Layer::weights() const {
  VariableList out = trainable_weights();
  for (const Variable& v : non_trainable_weights()) out.push_back(v);
  return out;
}

TensorList Layer::get_weights() const {
  TensorList out;
  for (const Variable& v : weights()) out.push_back(v.value());
  return out;
}

void Layer::set_weights(const TensorList& values) {
  const VariableList ws = weights();
  if (values.size() != ws.size())
    throw ValueError("layer '" + name_ + "' has " + std::to_string(ws.size()) + " weights, got " +
                     std::to_string(values.size()) + " values");
  for (size_t i = 0; i < ws.size(); ++i)
    if (values[i].shape() != ws[i].shape())
      throw ShapeError("layer '" + name_ + "': weight '" + ws[i].name() + "' has shape " +
                       ws[i].shape().to_string() + ", got a value of shape " +
                       values[i].shape().to_string());
  for (size_t i = 0; i < ws.size(); ++i) {
    Variable v = ws[i];
    v.assign(values[i]);
  }
}

int64_t Layer::count_params() const {
  int64_t n = 0;
  for (const Variable& v : weights_) n += v.shape().numel();
  return n;
}

TensorList Layer::regularization_losses() const {
  TensorList out;
  // Penalties are built in whatever graph is capturing (the model's), else computed now.
  for (const auto& [v, reg] : regularized_) out.push_back((*reg)(v.read()));
  return out;
}

nlohmann::json Layer::base_config() const {
  nlohmann::json c{{"name", name()}, {"trainable", trainable_}, {"dtype", "float32"}};
  if (has_build_input_shape()) c["batch_input_shape"] = shape_to_json(build_input_shape_);
  return c;
}

nlohmann::json Layer::get_config() const {
  return base_config();
}

}  // namespace nabla
