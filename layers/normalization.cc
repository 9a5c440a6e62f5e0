#include "layers/normalization.h"

#include "framework/core/errors.h"
#include "framework/ops/dispatch.h"
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

// The mean and (biased) variance over `axes` of the global batch, whose rows the ranks hold
// between them: local sums and row counts, summed over the ranks by `sum`.
std::pair<Tensor, Tensor> global_moments(const Tensor& x, const std::vector<int>& axes,
                                         const std::function<Tensor(const Tensor&)>& sum) {
  const std::vector<int64_t> axes64(axes.begin(), axes.end());
  const int64_t c = x.shape().dim(-1);
  const Tensor rows =
      reshape(apply_op(op::ReducedSize, {x}, {{"axes", axes64}, {"dtype", x.dtype()}}), {1});
  const Tensor sums = sum(concat({reduce_sum(x, axes), rows}, 0));  // one collective for both
  const Tensor count = slice(sums, {c}, {1});
  const Tensor mean = slice(sums, {0}, {c}) / count;
  const Tensor var = sum(reduce_sum(square(x - mean), axes)) / count;
  return {mean, var};
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
  const bool data_parallel = static_cast<bool>(ctx.cross_replica_sum);
  if (data_parallel && o_.synchronized()) {
    const auto [mean, var] = global_moments(x, axes, ctx.cross_replica_sum);
    update_moving(mean, var, Tensor(), ctx);
    return normalize(x, mean, var, o_.epsilon(), gamma_, beta_);
  }
  const Tensor mean = reduce_mean(x, axes);
  const Tensor var = reduce_mean(square(x - mean), axes);
  // In data-parallel training a rank may hold no rows of an epoch's last, partial batch: its
  // statistics are then 0/0, and its moving statistics must stay as they are.
  Tensor has_rows;
  if (data_parallel) {
    const std::vector<int64_t> axes64(axes.begin(), axes.end());
    has_rows = greater(apply_op(op::ReducedSize, {x}, {{"axes", axes64}, {"dtype", x.dtype()}}),
                       Tensor::scalar(0.0, x.dtype()));
  }
  update_moving(mean, var, has_rows, ctx);
  return normalize(x, mean, var, o_.epsilon(), gamma_, beta_);
}

// moving = moving * momentum + statistic * (1 - momentum), for each moving statistic; left as it
// is where `has_rows` (a bool scalar, when defined) is false.
void BatchNormalization::update_moving(const Tensor& mean, const Tensor& var,
                                       const Tensor& has_rows, CallContext& ctx) {
  const double m = o_.momentum();
  auto update = [&](const Variable& moving, const Tensor& statistic) {
    Tensor value = moving.read() * m + stop_gradient(statistic) * (1 - m);
    if (has_rows.defined()) value = where(has_rows, value, moving.read());
    return assign(moving, value);
  };
  Tensor update_mean = update(moving_mean_, mean);
  Tensor update_var = update(moving_variance_, var);
  if (ctx.updates) ctx.updates->insert(ctx.updates->end(), {update_mean, update_var});
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
  if (o_.synchronized()) c["synchronized"] = true;  // Keras's default (false) is left out
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
  o.synchronized(r.boolean("synchronized", false));
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
