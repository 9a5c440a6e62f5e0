// Activation functions by Keras name.
#pragma once

#include <functional>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "framework/core/registry.h"
#include "framework/core/tensor.h"

namespace nabla {

/// What an activation's name stands for: its function of x and of a parameter alpha (leaky_relu's
/// slope, elu's alpha, hard_sigmoid's slope; the others ignore it), and alpha's default.
struct ActivationDefinition {
  std::function<Tensor(const Tensor& x, double alpha)> fn;
  double default_alpha = 0;
};

/// Activation functions by Keras name ("relu", "gelu", ...). Users may add their own:
/// `ActivationRegistry::global().add("my_act", {[](const Tensor& x, double) {...}})`.
class ActivationFn;
using ActivationRegistry = Registry<ActivationFn, ActivationDefinition>;
template <>
ActivationRegistry& ActivationRegistry::global();

/// An element-wise (or softmax) activation, named as in Keras: linear, relu, relu6, leaky_relu,
/// elu, selu, sigmoid, hard_sigmoid, tanh, softmax, log_softmax, softplus, softsign, gelu,
/// swish / silu, mish, exponential, and any registered in ActivationRegistry. A serialized
/// activation layer ({"class_name": "LeakyReLU", "config": {"alpha": 0.3}}) is accepted too.
class ActivationFn {
 public:
  /// Looks the name up; NotFoundError with the nearest name for unknown ones.
  ActivationFn(const std::string& name = "linear");  // NOLINT: implicit from a name
  ActivationFn(const char* name) : ActivationFn(std::string(name)) {}  // NOLINT
  /// From a Keras config value: a string or a serialized activation object.
  static ActivationFn from_config(const nlohmann::json& config);

  Tensor operator()(const Tensor& x) const;
  const std::string& name() const { return name_; }
  bool is_linear() const { return name_ == "linear"; }
  /// The Keras config value: the name, or the serialized object when it has parameters.
  nlohmann::json get_config() const;
  /// The Keras major version a file must say it comes from for get_config() to be read back as
  /// this function (see KerasVersionScope): 3 for Keras 3's hard_sigmoid, 2 for Keras 2's (both
  /// are written "hard_sigmoid"), 0 when every version reads it the same.
  int keras_major() const;

  /// Every name accepted.
  static std::vector<std::string> names();

 private:
  std::string name_;
  std::function<Tensor(const Tensor& x, double alpha)> fn_;
  double alpha_ = 0;  // leaky_relu slope, elu alpha, hard_sigmoid slope
  bool from_object_ = false;
};

/// While alive, configs are read as Keras `major_version` (2 or 3) wrote them. The two differ
/// in what "hard_sigmoid" computes: Keras 3 relu6(x + 3) / 6 (slope 1/6, nabla's default), Keras 2
/// clip(0.2 x + 0.5). Loaders set it from a file's keras_version.
class KerasVersionScope {
 public:
  explicit KerasVersionScope(int major_version);
  ~KerasVersionScope();
  KerasVersionScope(const KerasVersionScope&) = delete;
  KerasVersionScope& operator=(const KerasVersionScope&) = delete;
  /// The Keras major version configs are read as (3 outside any scope).
  static int current();

 private:
  int saved_;
};

}  // namespace nabla
