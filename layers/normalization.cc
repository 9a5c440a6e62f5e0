#include "layers/normalization.h"

#include "framework/core/errors.h"
#include "framework/ops/ops.h"
#include "layers/layer_config.h"

namespace nabla {
namespace {

// Only the last axis is supported as the feature axis (the case of every Dense model).
void require_last_axis(int64_t axis, int rank, const std::string& layer) {
  if (axis != -1 && axis != rank - 1)
    throw UnimplementedError(layer +
                             ": only the last axis is supported as the normalisation axis, got " +
                             std::to_string(axis) + " for inputs of rank " + std::to_string(rank));
}

std::vector<int> all_but_last(int rank) {
  std::vector<int> axes;
  for (int i = 0; i + 1 < rank; ++i) axes.push_back(i);
  return axes;
}

// gamma (x - mean) rsqrt(var + eps) + beta, gamma and beta optional.
Tensor normalize(const Tensor& x, const Tensor& mean, const Tensor& var, double eps,
                 const Variable& gamma, const Variable& beta) {
  Tensor inv = rsqrt(var + eps);
  if (gamma.defined()) inv = inv * gamma;
  Tensor y = (x - mean) * inv;
  return beta.defined() ? y + beta : y;
}

}  // namespace

BatchNormalization::BatchNormalization(BatchNormalizationOptions options, std::string name)
    : LayerOf(std::move(name)), o_(std::move(options)) {
  if (!(o_.epsilon() > 0)) throw ValueError("BatchNormalization epsilon must be positive");
}

void BatchNormalization::build(const Shape& input_shape) {
  require_last_axis(o_.axis(), input_shape.rank(), "BatchNormalization '" + name() + "'");
  const Shape c{input_shape.dim(-1)};
  if (o_.scale()) gamma_ = add_weight("gamma", c, o_.gamma_initializer());
  if (o_.center()) beta_ = add_weight("beta", c, o_.beta_initializer());
  moving_mean_ = add_weight("moving_mean", c, o_.moving_mean_initializer(), false);
  moving_variance_ = add_weight("moving_variance", c, o_.moving_variance_initializer(), false);
}

Tensor BatchNormalization::call(const Tensor& x, CallContext& ctx) {
  if (!ctx.training || !trainable())
    return normalize(x, moving_mean_, moving_variance_, o_.epsilon(), gamma_, beta_);
  const std::vector<int> axes = all_but_last(x.rank());
  const Tensor mean = reduce_mean(x, axes);
  const Tensor var = reduce_mean(square(x - mean), axes);
  const double m = o_.momentum();
  Tensor update_mean =
      assign(moving_mean_, moving_mean_.read() * m + stop_gradient(mean) * (1 - m));
  Tensor update_var =
      assign(moving_variance_, moving_variance_.read() * m + stop_gradient(var) * (1 - m));
  if (ctx.updates) ctx.updates->insert(ctx.updates->end(), {update_mean, update_var});
  return normalize(x, mean, var, o_.epsilon(), gamma_, beta_);
}

nlohmann::json BatchNormalization::get_config() const {
  nlohmann::json c = base_config();
  c["axis"] = o_.axis();
  c["momentum"] = o_.momentum();
  c["epsilon"] = o_.epsilon();
  c["center"] = o_.center();
  c["scale"] = o_.scale();
  c["beta_initializer"] = o_.beta_initializer().get_config();
  c["gamma_initializer"] = o_.gamma_initializer().get_config();
  c["moving_mean_initializer"] = o_.moving_mean_initializer().get_config();
  c["moving_variance_initializer"] = o_.moving_variance_initializer().get_config();
  c["beta_regularizer"] = nullptr;
  c["gamma_regularizer"] = nullptr;
  return c;
}

LayerPtr BatchNormalization::from_config(const nlohmann::json& c) {
  LayerConfigReader r(
      c, "BatchNormalization",
      {"axis", "momentum", "epsilon", "center", "scale", "beta_initializer", "gamma_initializer",
       "moving_mean_initializer", "moving_variance_initializer", "beta_regularizer",
       "gamma_regularizer", "renorm", "renorm_clipping", "renorm_momentum", "fused",
       "virtual_batch_size", "adjustment"});
  if (r.boolean("renorm", false))
    throw UnimplementedError("BatchNormalization: renorm is not supported");
  BatchNormalizationOptions o;
  o.axis(r.axis("axis", -1))
      .momentum(r.number("momentum", 0.99))
      .epsilon(r.number("epsilon", 1e-3));
  o.center(r.boolean("center", true)).scale(r.boolean("scale", true));
  o.beta_initializer(Initializer::from_config(r.raw("beta_initializer", "zeros")));
  o.gamma_initializer(Initializer::from_config(r.raw("gamma_initializer", "ones")));
  o.moving_mean_initializer(Initializer::from_config(r.raw("moving_mean_initializer", "zeros")));
  o.moving_variance_initializer(
      Initializer::from_config(r.raw("moving_variance_initializer", "ones")));
  auto layer = std::make_shared<BatchNormalization>(o, r.name());
  r.apply_common(*layer);
  return layer;
}

LayerNormalization::LayerNormalization(LayerNormalizationOptions options, std::string name)
    : LayerOf(std::move(name)), o_(std::move(options)) {}

void LayerNormalization::build(const Shape& input_shape) {
  require_last_axis(o_.axis(), input_shape.rank(), "LayerNormalization '" + name() + "'");
  const Shape c{input_shape.dim(-1)};
  if (o_.scale()) gamma_ = add_weight("gamma", c, o_.gamma_initializer());
  if (o_.center()) beta_ = add_weight("beta", c, o_.beta_initializer());
}

Tensor LayerNormalization::call(const Tensor& x, CallContext&) {
  const Tensor mean = reduce_mean(x, {-1}, true);
  const Tensor var = reduce_mean(square(x - mean), {-1}, true);
  return normalize(x, mean, var, o_.epsilon(), gamma_, beta_);
}

nlohmann::json LayerNormalization::get_config() const {
  nlohmann::json c = base_config();
  c["axis"] = o_.axis();
  c["epsilon"] = o_.epsilon();
  c["center"] = o_.center();
  c["scale"] = o_.scale();
  c["beta_initializer"] = o_.beta_initializer().get_config();
  c["gamma_initializer"] = o_.gamma_initializer().get_config();
  c["beta_regularizer"] = nullptr;
  c["gamma_regularizer"] = nullptr;
  return c;
}

LayerPtr LayerNormalization::from_config(const nlohmann::json& c) {
  LayerConfigReader r(
      c, "LayerNormalization",
      {"axis", "epsilon", "center", "scale", "beta_initializer", "gamma_initializer",
       "beta_regularizer", "gamma_regularizer", "rms_scaling"});
  if (r.boolean("rms_scaling", false))
    throw UnimplementedError("LayerNormalization: rms_scaling is not supported");
  LayerNormalizationOptions o;
  o.axis(r.axis("axis", -1)).epsilon(r.number("epsilon", 1e-3));
  o.center(r.boolean("center", true)).scale(r.boolean("scale", true));
  o.beta_initializer(Initializer::from_config(r.raw("beta_initializer", "zeros")));
  o.gamma_initializer(Initializer::from_config(r.raw("gamma_initializer", "ones")));
  auto layer = std::make_shared<LayerNormalization>(o, r.name());
  r.apply_common(*layer);
  return layer;
}

}  // namespace nabla
