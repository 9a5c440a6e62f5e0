#include "layers/dense.h"

#include <nlohmann/json.hpp>

#include "framework/core/errors.h"
#include "framework/ops/ops.h"
#include "layers/layer_config.h"

namespace nabla {

Dense::Dense(int64_t units, ActivationFn activation, std::string name)
    : Dense(DenseOptions(units).activation(std::move(activation)), std::move(name)) {}

Dense::Dense(DenseOptions options, std::string name)
    : LayerOf(std::move(name)), options_(std::move(options)) {
  if (options_.units() <= 0)
    throw ValueError("Dense needs a positive number of units, got " +
                     std::to_string(options_.units()));
  if (options_.input_shape().rank() > 0)
    set_build_input_shape(options_.input_shape().inserted(0, -1));
}

void Dense::build(const Shape& input_shape) {
  if (input_shape.rank() < 1 || input_shape.dim(-1) <= 0)
    throw ShapeError("Dense '" + name() + "' needs inputs with a known last axis, got " +
                     input_shape.to_string());
  kernel_ = add_weight("kernel", {input_shape.dim(-1), options_.units()},
                       options_.kernel_initializer(), true, options_.kernel_regularizer());
  if (options_.use_bias())
    bias_ = add_weight("bias", {options_.units()}, options_.bias_initializer(), true,
                       options_.bias_regularizer());
}

Tensor Dense::call(const Tensor& x, CallContext& ctx) {
  Tensor y;
  if (x.rank() == 2) {
    y = matmul(x, kernel_);
  } else {
    // Multiply along the last axis: [..., in] -> [rows, in] -> [rows, units] -> [..., units].
    Shape out = x.shape();
    out[out.rank() - 1] = options_.units();
    y = reshape(matmul(reshape(x, {-1, x.shape().dim(-1)}), kernel_), out);
  }
  if (options_.use_bias()) y = bias_add(y, bias_);
  y = options_.activation()(y);
  if (options_.activity_regularizer() && ctx.training && ctx.losses)
    ctx.losses->push_back((*options_.activity_regularizer())(y) / batch_size_of(y));
  return y;
}

Shape Dense::compute_output_shape(const Shape& input_shape) const {
  Shape out = input_shape;
  out[out.rank() - 1] = options_.units();
  return out;
}

nlohmann::json Dense::get_config() const {
  nlohmann::json c = base_config();
  c["units"] = options_.units();
  c["activation"] = options_.activation().get_config();
  c["use_bias"] = options_.use_bias();
  c["kernel_initializer"] = options_.kernel_initializer().get_config();
  c["bias_initializer"] = options_.bias_initializer().get_config();
  c["kernel_regularizer"] = regularizer_config(options_.kernel_regularizer());
  c["bias_regularizer"] = regularizer_config(options_.bias_regularizer());
  c["activity_regularizer"] = regularizer_config(options_.activity_regularizer());
  c["kernel_constraint"] = nullptr;
  c["bias_constraint"] = nullptr;
  return c;
}

LayerPtr Dense::from_config(const nlohmann::json& c) {
  LayerConfigReader r(c, "Dense",
                      {"units", "activation", "use_bias", "kernel_initializer", "bias_initializer",
                       "kernel_regularizer", "bias_regularizer", "activity_regularizer"});
  DenseOptions o(r.integer("units"));
  o.activation(ActivationFn::from_config(r.raw("activation", "linear")));
  o.use_bias(r.boolean("use_bias", true));
  o.kernel_initializer(Initializer::from_config(r.raw("kernel_initializer", "glorot_uniform")));
  o.bias_initializer(Initializer::from_config(r.raw("bias_initializer", "zeros")));
  o.kernel_regularizer(Regularizer::from_config(r.raw("kernel_regularizer", nullptr)));
  o.bias_regularizer(Regularizer::from_config(r.raw("bias_regularizer", nullptr)));
  o.activity_regularizer(Regularizer::from_config(r.raw("activity_regularizer", nullptr)));
  auto layer = std::make_shared<Dense>(o, r.name());
  r.apply_common(*layer);
  return layer;
}

}  // namespace nabla
