#include "layers/activations.h"

#include <nlohmann/json.hpp>

#include "framework/core/errors.h"
#include "framework/ops/ops.h"
#include "layers/layer_config.h"

namespace nabla {
namespace {

thread_local int keras_version = 3;

struct Entry {
  const char* name;
  Tensor (*fn)(const Tensor& x, double alpha);
  double default_alpha;
};

// Keras 3 defaults: leaky_relu's negative slope 0.2, elu's alpha 1.0.
const Entry kActivations[] = {
    {"linear", [](const Tensor& x, double) { return x; }, 0},
    {"relu", [](const Tensor& x, double) { return relu(x); }, 0},
    {"relu6", [](const Tensor& x, double) { return relu6(x); }, 0},
    {"leaky_relu", [](const Tensor& x, double a) { return leaky_relu(x, a); }, 0.2},
    {"elu", [](const Tensor& x, double a) { return elu(x, a); }, 1.0},
    {"selu", [](const Tensor& x, double) { return selu(x); }, 0},
    {"sigmoid", [](const Tensor& x, double) { return sigmoid(x); }, 0},
    {"hard_sigmoid", [](const Tensor& x, double a) { return hard_sigmoid(x, a); }, 1.0 / 6.0},
    {"tanh", [](const Tensor& x, double) { return tanh(x); }, 0},
    {"softmax", [](const Tensor& x, double) { return softmax(x, -1); }, 0},
    {"log_softmax", [](const Tensor& x, double) { return log_softmax(x, -1); }, 0},
    {"softplus", [](const Tensor& x, double) { return softplus(x); }, 0},
    {"softsign", [](const Tensor& x, double) { return softsign(x); }, 0},
    {"gelu", [](const Tensor& x, double) { return gelu(x, false); }, 0},
    {"silu", [](const Tensor& x, double) { return silu(x); }, 0},
    {"swish", [](const Tensor& x, double) { return silu(x); }, 0},
    {"mish", [](const Tensor& x, double) { return mish(x); }, 0},
    {"exponential", [](const Tensor& x, double) { return exp(x); }, 0},
};

}  // namespace

template <>
ActivationRegistry& ActivationRegistry::global() {
  // Never destroyed, so that lookups stay valid during static destruction.
  static ActivationRegistry* r = [] {
    auto* r = new ActivationRegistry("activation");
    for (const Entry& e : kActivations) r->add(e.name, {e.fn, e.default_alpha});
    return r;
  }();
  return *r;
}

KerasVersionScope::KerasVersionScope(int major_version) : saved_(keras_version) {
  keras_version = major_version;
}
KerasVersionScope::~KerasVersionScope() {
  keras_version = saved_;
}
int KerasVersionScope::current() {
  return keras_version;
}

std::vector<std::string> ActivationFn::names() {
  return ActivationRegistry::global().names();
}

ActivationFn::ActivationFn(const std::string& name) : name_(name.empty() ? "linear" : name) {
  if (name_ == "None") name_ = "linear";
  const ActivationDefinition definition = ActivationRegistry::global().get(name_);
  fn_ = definition.fn;
  alpha_ = definition.default_alpha;
  if (name_ == "hard_sigmoid" && KerasVersionScope::current() < 3) alpha_ = 0.2;
}

ActivationFn ActivationFn::from_config(const nlohmann::json& config) {
  if (config.is_null()) return ActivationFn("linear");
  if (config.is_string()) return ActivationFn(config.get<std::string>());
  if (!config.is_object() || !config.contains("class_name"))
    throw ValueError("an activation must be a name or a serialized activation, got " +
                     config.dump());
  const std::string cls = config["class_name"].get<std::string>();
  const nlohmann::json c = config.value("config", nlohmann::json::object());
  // Keras 3 may serialize a plain function as {"class_name": "function", "config": "relu"}.
  if (cls == "function" && c.is_string()) return ActivationFn(c.get<std::string>());
  ActivationFn f;
  f.from_object_ = true;
  if (cls == "LeakyReLU") {
    f = ActivationFn("leaky_relu");
    f.alpha_ =
        c.contains("negative_slope") ? c["negative_slope"].get<double>() : c.value("alpha", 0.3);
  } else if (cls == "ELU") {
    f = ActivationFn("elu");
    f.alpha_ = c.value("alpha", 1.0);
  } else if (cls == "ReLU") {
    const bool six = c.contains("max_value") && c["max_value"].is_number() &&
                     c["max_value"].get<double>() == 6.0;
    f = ActivationFn(six ? "relu6" : "relu");
  } else if (cls == "Softmax") {
    f = ActivationFn("softmax");
  } else if (cls == "Activation") {
    return from_config(c.value("activation", nlohmann::json("linear")));
  } else {
    throw NotFoundError(
        "activation object of class '" + cls +
        "' is not supported (supported: LeakyReLU, ELU, ReLU, Softmax, Activation)");
  }
  f.from_object_ = true;
  return f;
}

Tensor ActivationFn::operator()(const Tensor& x) const {
  return fn_(x, alpha_);
}

int ActivationFn::keras_major() const {
  if (name_ != "hard_sigmoid") return 0;
  return alpha_ == 0.2 ? 2 : 3;
}

nlohmann::json ActivationFn::get_config() const {
  if (name_ == "leaky_relu" && (from_object_ || alpha_ != 0.2))
    // "alpha" is what Keras 2 reads and what Keras 3 still accepts.
    return keras_object("keras.layers", "LeakyReLU", {{"alpha", alpha_}});
  if (name_ == "elu" && alpha_ != 1.0)
    return keras_object("keras.layers", "ELU", {{"alpha", alpha_}});
  return name_;
}

}  // namespace nabla
