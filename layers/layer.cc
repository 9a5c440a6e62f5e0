#include "layers/layer.h"

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>

#include "framework/core/errors.h"
#include "framework/graph/graph.h"
#include "framework/ops/ops.h"
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

Layer::Layer(std::string name) : name_(std::move(name)) {}

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
  Shape shape = x.shape();
  if (shape.rank() > 0) shape[0] = -1;  // weights never depend on the batch size
  if (!built_) ensure_built(shape);
  // Every axis but the batch must agree (an unknown dimension on either side matches).
  bool fits = input_shape_.rank() == shape.rank();
  for (int i = 1; fits && i < shape.rank(); ++i)
    fits = input_shape_[i] < 0 || shape[i] < 0 || input_shape_[i] == shape[i];
  if (!fits)
    throw ShapeError("layer '" + name() + "' (" + class_name() +
                     ") was built for inputs of shape " + input_shape_.to_string() + ", got " +
                     x.shape().to_string());
  if (x.is_symbolic()) {
    auto capture = x.graph()->capture_variables();
    return call(x, ctx);
  }
  return call(x, ctx);
}

Variable Layer::add_weight(const std::string& name, const Shape& shape,
                           const Initializer& initializer, bool trainable,
                           const RegularizerPtr& regularizer) {
  Variable v(initializer(shape), this->name() + "/" + name, trainable);
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
