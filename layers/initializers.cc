#include "layers/initializers.h"

#include <Eigen/Dense>
#include <cmath>
#include <nlohmann/json.hpp>

#include "framework/core/errors.h"
#include "framework/core/random.h"
#include "framework/ops/ops.h"
#include "layers/layer_config.h"

namespace nabla {
namespace {

// The stddev of a standard normal truncated to [-2, 2]: variance scaling divides by it so the
// truncated draws have the intended variance, as Keras does.
constexpr double kTruncatedStddev = 0.87962566103423978;

struct Known {
  const char* name;        // snake_case, as in Keras's string identifiers
  const char* class_name;  // Keras class
};
constexpr Known kKnown[] = {
    {"glorot_uniform", "GlorotUniform"},
    {"glorot_normal", "GlorotNormal"},
    {"he_uniform", "HeUniform"},
    {"he_normal", "HeNormal"},
    {"lecun_uniform", "LecunUniform"},
    {"lecun_normal", "LecunNormal"},
    {"random_normal", "RandomNormal"},
    {"random_uniform", "RandomUniform"},
    {"truncated_normal", "TruncatedNormal"},
    {"orthogonal", "Orthogonal"},
    {"zeros", "Zeros"},
    {"ones", "Ones"},
    {"constant", "Constant"},
    {"variance_scaling", "VarianceScaling"},
};

// fan_in, fan_out of a kernel shape as Keras computes them.
std::pair<double, double> fans(const Shape& s) {
  if (s.rank() == 0) return {1, 1};
  if (s.rank() == 1) return {static_cast<double>(s[0]), static_cast<double>(s[0])};
  if (s.rank() == 2) return {static_cast<double>(s[0]), static_cast<double>(s[1])};
  double receptive = 1;
  for (int i = 0; i < s.rank() - 2; ++i) receptive *= static_cast<double>(s[i]);
  return {s.dim(-2) * receptive, s.dim(-1) * receptive};
}

// Keras's VarianceScaling: variance scale / fan, fan by `mode`, drawn from `distribution`.
Tensor variance_scaling(const Shape& shape, double scale, const std::string& mode,
                        const std::string& distribution, uint64_t seed, DType dtype) {
  const auto [fan_in, fan_out] = fans(shape);
  const double fan = mode == "fan_in"    ? fan_in
                     : mode == "fan_out" ? fan_out
                                         : (fan_in + fan_out) / 2;
  const double variance = scale / std::max(1.0, fan);
  if (distribution == "uniform") {
    const double limit = std::sqrt(3.0 * variance);
    return Tensor::random_uniform(shape, -limit, limit, seed, dtype);
  }
  if (distribution == "untruncated_normal")
    return Tensor::random_normal(shape, 0.0, std::sqrt(variance), seed, dtype);
  return Tensor::truncated_normal(shape, 0.0, std::sqrt(variance) / kTruncatedStddev, seed, dtype);
}

Tensor orthogonal(const Shape& shape, double gain, uint64_t seed, DType dtype) {
  if (shape.rank() < 2)
    throw ShapeError("orthogonal initializer needs rank >= 2, got " + shape.to_string());
  const int64_t cols = shape.dim(-1), rows = shape.numel() / cols;
  const bool wide = rows < cols;
  const int64_t r = wide ? cols : rows, c = wide ? rows : cols;
  Tensor a = Tensor::random_normal({r, c}, 0, 1, seed, DType::Float64);
  Eigen::Map<Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> m(
      a.data<double>(), r, c);
  Eigen::HouseholderQR<Eigen::MatrixXd> qr(m);
  Eigen::MatrixXd q = qr.householderQ() * Eigen::MatrixXd::Identity(r, c);
  // Make the decomposition unique (sign of R's diagonal), as Keras does.
  const Eigen::MatrixXd rr = qr.matrixQR();
  for (int64_t j = 0; j < c; ++j)
    if (rr(j, j) < 0) q.col(j) *= -1;
  if (wide) q.transposeInPlace();
  std::vector<double> v(static_cast<size_t>(rows * cols));
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) v[i * cols + j] = gain * q(i, j);
  return cast(Tensor::from_vector(v, shape), dtype);
}

}  // namespace

struct Initializer::Custom {
  Fn fn;
  nlohmann::json config;
};

namespace detail {

// The built-in initializers, which the registry's entries make.
struct BuiltinInitializers {
  // `kind` (a snake_case name of kKnown) with the arguments of `config` over its defaults.
  static Initializer make(const std::string& kind, const nlohmann::json& c) {
    Initializer i;
    i.kind_ = kind;
    if (kind == "random_normal" || kind == "truncated_normal") i.a_ = 0.0, i.b_ = 0.05;
    if (kind == "random_uniform") i.a_ = -0.05, i.b_ = 0.05;
    if (kind == "orthogonal") i.a_ = 1.0;        // gain
    if (kind == "variance_scaling") i.a_ = 1.0;  // scale
    auto num = [&](const char* key, double fallback) {
      return c.is_object() && c.contains(key) && c[key].is_number() ? c[key].get<double>()
                                                                    : fallback;
    };
    if (kind == "random_normal" || kind == "truncated_normal")
      i.a_ = num("mean", i.a_), i.b_ = num("stddev", i.b_);
    if (kind == "random_uniform") i.a_ = num("minval", i.a_), i.b_ = num("maxval", i.b_);
    if (kind == "constant") i.a_ = num("value", 0);
    if (kind == "orthogonal") i.a_ = num("gain", i.a_);
    if (c.is_object() && c.contains("seed") && c["seed"].is_number_integer())
      i.seed_ = c["seed"].get<uint64_t>();
    return i;
  }
};

}  // namespace detail

template <>
InitializerRegistry& InitializerRegistry::global() {
  // Never destroyed, so that lookups stay valid during static destruction.
  static InitializerRegistry* r = [] {
    auto* r = new InitializerRegistry("initializer");
    for (const Known& k : kKnown) {
      const std::string kind = k.name;
      std::vector<std::string> aliases{k.class_name};
      // Keras's older names.
      if (kind == "random_uniform") aliases.push_back("uniform");
      if (kind == "random_normal") aliases.push_back("normal");
      if (kind == "zeros") aliases.push_back("zero");
      if (kind == "ones") aliases.push_back("one");
      r->add(
          kind,
          [kind](const nlohmann::json& config) {
            return detail::BuiltinInitializers::make(kind, config);
          },
          aliases);
    }
    return r;
  }();
  return *r;
}

Initializer::Initializer(const char* name) : Initializer(std::string(name)) {}

Initializer::Initializer(const std::string& name)
    : Initializer(InitializerRegistry::global().create(name, nlohmann::json::object())) {}

Initializer::Initializer(std::string class_name, Fn fn, const nlohmann::json& config)
    : kind_(std::move(class_name)),
      custom_(std::make_shared<const Custom>(Custom{std::move(fn), config})) {}

Initializer Initializer::constant(double value) {
  Initializer i("constant");
  i.a_ = value;
  return i;
}

Initializer Initializer::random_normal(double mean, double stddev, uint64_t seed) {
  Initializer i("random_normal");
  i.a_ = mean, i.b_ = stddev, i.seed_ = seed;
  return i;
}

Initializer Initializer::random_uniform(double minval, double maxval, uint64_t seed) {
  Initializer i("random_uniform");
  i.a_ = minval, i.b_ = maxval, i.seed_ = seed;
  return i;
}

Initializer Initializer::from_config(const nlohmann::json& config) {
  return InitializerRegistry::global().from_config(config);
}

Tensor Initializer::operator()(const Shape& shape, DType dtype) const {
  const uint64_t seed = resolve_seed(seed_);
  if (custom_) return custom_->fn(shape, dtype, seed);
  const auto [fan_in, fan_out] = fans(shape);
  auto uniform = [&](double limit) {
    return Tensor::random_uniform(shape, -limit, limit, seed, dtype);
  };
  auto truncated = [&](double scale, double fan) {
    return Tensor::truncated_normal(
        shape, 0.0, std::sqrt(scale / std::max(1.0, fan)) / kTruncatedStddev, seed, dtype);
  };
  if (kind_ == "glorot_uniform") return uniform(std::sqrt(6.0 / std::max(1.0, fan_in + fan_out)));
  if (kind_ == "glorot_normal") return truncated(2.0, fan_in + fan_out);
  if (kind_ == "he_uniform") return uniform(std::sqrt(6.0 / std::max(1.0, fan_in)));
  if (kind_ == "he_normal") return truncated(2.0, fan_in);
  if (kind_ == "lecun_uniform") return uniform(std::sqrt(3.0 / std::max(1.0, fan_in)));
  if (kind_ == "lecun_normal") return truncated(1.0, fan_in);
  if (kind_ == "random_normal") return Tensor::random_normal(shape, a_, b_, seed, dtype);
  if (kind_ == "random_uniform") return Tensor::random_uniform(shape, a_, b_, seed, dtype);
  if (kind_ == "truncated_normal") return Tensor::truncated_normal(shape, a_, b_, seed, dtype);
  if (kind_ == "orthogonal") return orthogonal(shape, a_, seed, dtype);
  if (kind_ == "variance_scaling")
    return variance_scaling(shape, a_, mode_, distribution_, seed, dtype);
  if (kind_ == "zeros") return Tensor::zeros(shape, dtype);
  if (kind_ == "ones") return Tensor::ones(shape, dtype);
  return Tensor::full(shape, a_, dtype);  // constant
}

nlohmann::json Initializer::get_config() const {
  if (custom_) return {{"class_name", kind_}, {"config", custom_->config}};
  std::string cls;
  for (const auto& k : kKnown)
    if (kind_ == k.name) cls = k.class_name;
  nlohmann::json c = nlohmann::json::object();
  if (kind_ == "random_normal" || kind_ == "truncated_normal") c["mean"] = a_, c["stddev"] = b_;
  if (kind_ == "random_uniform") c["minval"] = a_, c["maxval"] = b_;
  if (kind_ == "constant") c["value"] = a_;
  if (kind_ == "orthogonal") c["gain"] = a_;
  if (kind_ == "variance_scaling")
    c["scale"] = a_, c["mode"] = mode_, c["distribution"] = distribution_;
  if (kind_ != "zeros" && kind_ != "ones" && kind_ != "constant")
    c["seed"] = seed_ ? nlohmann::json(seed_) : nlohmann::json(nullptr);
  return keras_object("keras.initializers", cls, c);
}

}  // namespace nabla
