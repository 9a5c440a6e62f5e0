// Weight initializers by Keras name: glorot_uniform, he_normal, zeros, ...
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "framework/core/registry.h"
#include "framework/core/tensor.h"

namespace nabla {

namespace detail {
struct BuiltinInitializers;
}

/// Makes a weight's initial value. Keras names and formulas (fan_in / fan_out are the first and
/// last dimension of a kernel):
///   glorot_uniform  U(-l, l), l = sqrt(6 / (fan_in + fan_out))     (the default kernel init)
///   glorot_normal   truncated N(0, s), s = sqrt(2 / (fan_in + fan_out)) / 0.8796
///   he_uniform      U(-l, l), l = sqrt(6 / fan_in);  he_normal  s = sqrt(2 / fan_in) / 0.8796
///   lecun_uniform   U(-l, l), l = sqrt(3 / fan_in);  lecun_normal s = sqrt(1 / fan_in) / 0.8796
///   random_normal   N(mean, stddev) (0, 0.05);  random_uniform U(minval, maxval) (-0.05, 0.05)
///   truncated_normal  N(mean, stddev) within 2 stddev (0, 0.05)
///   orthogonal      Q of the QR decomposition of a normal matrix, times gain (1)
///   variance_scaling  the general form of the glorot/he/lecun family: scale / fan (fan_in,
///                   fan_out or fan_avg), drawn "uniform", "truncated_normal" or
///                   "untruncated_normal" (Keras 2's configs spell glorot_uniform this way)
///   zeros (the default bias init), ones, constant(value)
/// (0.8796 is the stddev of a standard normal truncated to [-2, 2].) Users add their own with
/// the constructor from a function, registering a factory in InitializerRegistry so that names
/// and configs find it.
class Initializer {
 public:
  /// A user's initializer computes a value of `shape` and `dtype` from a seed.
  using Fn = std::function<Tensor(const Shape& shape, DType dtype, uint64_t seed)>;

  /// By Keras name (or registered name) with default arguments, e.g. Initializer("he_normal").
  Initializer(const char* name);  // NOLINT: implicit, so a name can be passed where one is wanted
  Initializer(const std::string& name);  // NOLINT
  /// A user's initializer of Keras class `class_name`: operator() calls `fn` with the seed, and
  /// get_config() gives {"class_name": class_name, "config": config}.
  Initializer(std::string class_name, Fn fn, const nlohmann::json& config);
  /// From a Keras config: a name or {"class_name": "RandomNormal", "config": {...}}.
  static Initializer from_config(const nlohmann::json& config);
  static Initializer constant(double value);
  static Initializer random_normal(double mean = 0.0, double stddev = 0.05, uint64_t seed = 0);
  static Initializer random_uniform(double minval = -0.05, double maxval = 0.05, uint64_t seed = 0);

  /// A value of `shape`. Without a seed of its own, each call draws the next seed of the global
  /// sequence (see set_seed), so models are reproducible run to run.
  Tensor operator()(const Shape& shape, DType dtype = DType::Float32) const;
  /// {"class_name": "GlorotUniform", "config": {"seed": null}} as Keras writes it.
  nlohmann::json get_config() const;
  const std::string& name() const { return kind_; }

 private:
  friend struct detail::BuiltinInitializers;
  struct Custom;
  Initializer() = default;
  std::string kind_;                      // snake_case Keras name (a user's: its class name)
  std::shared_ptr<const Custom> custom_;  // a user's initializer
  double a_ = 0, b_ = 0;
  std::string mode_ = "fan_in", distribution_ = "truncated_normal";  // variance_scaling
  uint64_t seed_ = 0;
};

/// Makes an initializer from the "config" object of a Keras initializer config.
using InitializerFactory = std::function<Initializer(const nlohmann::json& config)>;
/// Initializers by Keras name, alias and class name ("he_normal", "HeNormal"). Users may add
/// their own.
using InitializerRegistry = Registry<Initializer, InitializerFactory>;
template <>
InitializerRegistry& InitializerRegistry::global();

}  // namespace nabla
