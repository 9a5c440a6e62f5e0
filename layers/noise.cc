#include "layers/noise.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "framework/core/errors.h"
#include "framework/ops/ops.h"
#include "layers/layer_config.h"

namespace nabla {
namespace {

void check_rate(double rate, const char* layer) {
  if (!(rate >= 0.0 && rate < 1.0))
    throw ValueError(std::string(layer) + " rate must be in [0, 1), got " + std::to_string(rate));
}

// N(0, 1) values shaped like x, a function of (seed, step) when a step is given, and of the row's
// index in the global batch under data-parallel training (ctx.row_offset). Box-Muller on
// two uniform streams: the uniform op is the one random op that takes the training step, so the
// noise is reproducible on every backend without an op of its own. u1 is kept above 1e-30 so
// that log never sees 0 (the tail beyond 11.7 standard deviations is all that is lost).
Tensor standard_normal_like(const Tensor& x, uint64_t seed, const CallContext& ctx) {
  constexpr double kTwoPi = 6.283185307179586;
  // A second seed from the first: seeds are below 2^63, so the high bit makes it differ from
  // every other layer's seed.
  const uint64_t other = seed ^ 0x9E3779B97F4A7C15ULL;
  const Tensor u1 = random_uniform_like(x, seed, ctx.step, ctx.row_offset);
  const Tensor u2 = random_uniform_like(x, other, ctx.step, ctx.row_offset);
  return sqrt(log(maximum(u1, 1e-30)) * -2.0) * cos(u2 * kTwoPi);
}

}  // namespace

GaussianNoise::GaussianNoise(double stddev, uint64_t seed, std::string name)
    : LayerOf(std::move(name)), stddev_(stddev), seed_(layer_seed(seed, "GaussianNoise")) {
  if (!(stddev >= 0.0 && std::isfinite(stddev)))
    throw ValueError("GaussianNoise stddev must be >= 0, got " + std::to_string(stddev));
}

Tensor GaussianNoise::call(const Tensor& x, CallContext& ctx) {
  if (!ctx.training || stddev_ == 0.0) return x;
  return x + standard_normal_like(x, seed_, ctx) * stddev_;
}

nlohmann::json GaussianNoise::get_config() const {
  nlohmann::json c = base_config();
  c["stddev"] = stddev_;
  c["seed"] = seed_;  // the seed in use, so that a model read back draws the same noise
  return c;
}

LayerPtr GaussianNoise::from_config(const nlohmann::json& c) {
  LayerConfigReader r(c, "GaussianNoise", {"stddev", "seed"});
  if (!c.contains("stddev")) throw ValueError("GaussianNoise config needs 'stddev'");
  auto layer = std::make_shared<GaussianNoise>(r.keras_float("stddev", 0.0), r.seed(), r.name());
  r.apply_common(*layer);
  return layer;
}

GaussianDropout::GaussianDropout(double rate, uint64_t seed, std::string name)
    : LayerOf(std::move(name)), rate_(rate), seed_(layer_seed(seed, "GaussianDropout")) {
  check_rate(rate, "GaussianDropout");
}

Tensor GaussianDropout::call(const Tensor& x, CallContext& ctx) {
  if (!ctx.training || rate_ == 0.0) return x;
  const double stddev = std::sqrt(rate_ / (1.0 - rate_));
  return x * (standard_normal_like(x, seed_, ctx) * stddev + 1.0);
}

nlohmann::json GaussianDropout::get_config() const {
  nlohmann::json c = base_config();
  c["rate"] = rate_;
  c["seed"] = seed_;
  return c;
}

LayerPtr GaussianDropout::from_config(const nlohmann::json& c) {
  LayerConfigReader r(c, "GaussianDropout", {"rate", "seed"});
  if (!c.contains("rate")) throw ValueError("GaussianDropout config needs 'rate'");
  auto layer = std::make_shared<GaussianDropout>(r.keras_float("rate", 0.0), r.seed(), r.name());
  r.apply_common(*layer);
  return layer;
}

AlphaDropout::AlphaDropout(double rate, uint64_t seed, std::string name)
    : LayerOf(std::move(name)), rate_(rate), seed_(layer_seed(seed, "AlphaDropout")) {
  check_rate(rate, "AlphaDropout");
}

Tensor AlphaDropout::call(const Tensor& x, CallContext& ctx) {
  if (!ctx.training || rate_ == 0.0) return x;
  constexpr double kAlpha = 1.6732632423543772848170429916717;
  constexpr double kScale = 1.0507009873554804934193349852946;
  const double alpha_p = -kAlpha * kScale;
  const double a = 1.0 / std::sqrt((1.0 - rate_) * (1.0 + rate_ * alpha_p * alpha_p));
  const double b = -a * alpha_p * rate_;
  const Tensor kept = cast(
      greater_equal(random_uniform_like(x, seed_, ctx.step, ctx.row_offset), rate_), x.dtype());
  // a * (x * kept + alpha_p * (1 - kept)) + b
  return (x * kept + (1.0 - kept) * alpha_p) * a + b;
}

nlohmann::json AlphaDropout::get_config() const {
  nlohmann::json c = base_config();
  c["rate"] = rate_;
  c["seed"] = seed_;
  c["noise_shape"] = nullptr;
  return c;
}

LayerPtr AlphaDropout::from_config(const nlohmann::json& c) {
  LayerConfigReader r(c, "AlphaDropout", {"rate", "seed"});
  if (!c.contains("rate")) throw ValueError("AlphaDropout config needs 'rate'");
  auto layer = std::make_shared<AlphaDropout>(r.keras_float("rate", 0.0), r.seed(), r.name());
  r.apply_common(*layer);
  return layer;
}

}  // namespace nabla
