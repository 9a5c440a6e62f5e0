// Seeded random tensors and dropout.
#include "framework/core/random.h"
#include "framework/ops/op_helpers.h"

namespace nabla {

using namespace op_helpers;

namespace {

Tensor random_op(OpId op, const Shape& shape, double a, double b, uint64_t seed, DType dtype) {
  if (!shape.is_fully_defined())
    throw ShapeError(op.name() + " needs a fully defined shape, got " + shape.to_string());
  if (!is_floating(dtype))
    throw TypeError(op.name() + " makes float32 or float64, not " + dtype_name(dtype));
  return apply_op(op, {},
                  {{"shape", shape},
                   {"a", a},
                   {"b", b},
                   {"seed", static_cast<int64_t>(resolve_seed(seed))},
                   {"dtype", dtype}});
}

TensorSpec infer_random(const InferContext& c) {
  return {c.attrs.get_shape("shape"), c.attrs.get_dtype("dtype")};
}

TensorSpec infer_like_with_step(const InferContext& c) {
  c.require_floating(0);
  if (c.num_inputs() == 2 && (c.dtype(1) != DType::Int64 || c.shape(1).rank() != 0))
    throw TypeError(c.where() + ": the step must be an int64 scalar, got " +
                    std::string(dtype_name(c.dtype(1))) + " " + c.shape(1).to_string());
  return c.inputs[0];
}

}  // namespace

Tensor random_normal(const Shape& shape, double mean, double stddev, uint64_t seed, DType dtype) {
  return random_op(op::RandomNormal, shape, mean, stddev, seed, dtype);
}
Tensor random_uniform(const Shape& shape, double minval, double maxval, uint64_t seed,
                      DType dtype) {
  return random_op(op::RandomUniform, shape, minval, maxval, seed, dtype);
}
Tensor truncated_normal(const Shape& shape, double mean, double stddev, uint64_t seed,
                        DType dtype) {
  return random_op(op::TruncatedNormal, shape, mean, stddev, seed, dtype);
}
Tensor random_uniform_like(const Tensor& x, uint64_t seed, const Tensor& step) {
  TensorList inputs{x};
  if (step.defined()) inputs.push_back(step);
  return apply_op(op::RandomUniformLike, inputs,
                  {{"seed", static_cast<int64_t>(resolve_seed(seed))}});
}

Tensor dropout(const Tensor& x, double rate, uint64_t seed, const Tensor& step) {
  if (!(rate >= 0.0 && rate < 1.0))
    throw ValueError("dropout rate must be in [0, 1), got " + std::to_string(rate));
  if (rate == 0.0) return x;
  TensorList inputs{x};
  if (step.defined()) inputs.push_back(step);
  Tensor mask = apply_op(op::DropoutMask, inputs,
                         {{"rate", rate}, {"seed", static_cast<int64_t>(resolve_seed(seed))}});
  return x * mask;
}

void register_random_ops(OpRegistry& r) {
  for (OpId id : {op::RandomNormal, op::RandomUniform, op::TruncatedNormal})
    r.define(id, {.min_inputs = 0, .max_inputs = 0, .infer = infer_random, .random = true});
  r.define(op::RandomUniformLike,
           {.min_inputs = 1, .max_inputs = 2, .infer = infer_like_with_step, .random = true});
  // 0 with probability `rate`, else 1/(1 - rate); shaped like input 0. With a step input the
  // stream is (seed, step), else (seed, run count of the node).
  r.define(op::DropoutMask,
           {.min_inputs = 1, .max_inputs = 2, .infer = infer_like_with_step, .random = true});
}

}  // namespace nabla
