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
  const char* what[] = {"", "the step", "the row offset"};
  for (int i = 1; i < c.num_inputs(); ++i)
    if (c.dtype(i) != DType::Int64 || c.shape(i).rank() != 0)
      throw TypeError(c.where() + ": " + what[i] + " must be an int64 scalar, got " +
                      std::string(dtype_name(c.dtype(i))) + " " + c.shape(i).to_string());
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
Tensor random_uniform_like(const Tensor& x, uint64_t seed, const Tensor& step,
                           const Tensor& row_offset) {
  if (row_offset.defined() && !step.defined())
    throw ValueError("random_uniform_like: a row offset needs a step (the stream is (seed, step))");
  TensorList inputs{x};
  if (step.defined()) inputs.push_back(step);
  if (row_offset.defined()) inputs.push_back(row_offset);
  return apply_op(op::RandomUniformLike, inputs,
                  {{"seed", static_cast<int64_t>(resolve_seed(seed))}});
}

Tensor dropout(const Tensor& x, double rate, uint64_t seed, const Tensor& step,
               const Tensor& row_offset) {
  if (!(rate >= 0.0 && rate < 1.0))
    throw ValueError("dropout rate must be in [0, 1), got " + std::to_string(rate));
  if (rate == 0.0) return x;
  if (row_offset.defined() && !step.defined())
    throw ValueError("dropout: a row offset needs a step (the mask's stream is (seed, step))");
  TensorList inputs{x};
  if (step.defined()) inputs.push_back(step);
  if (row_offset.defined()) inputs.push_back(row_offset);
  Tensor mask = apply_op(op::DropoutMask, inputs,
                         {{"rate", rate}, {"seed", static_cast<int64_t>(resolve_seed(seed))}});
  return x * mask;
}

void register_random_ops(OpRegistry& r) {
  for (OpId id : {op::RandomNormal, op::RandomUniform, op::TruncatedNormal})
    r.define(id, {.min_inputs = 0, .max_inputs = 0, .infer = infer_random, .random = true});
  // Inputs (x, [step, [row offset]]): shaped like x. With a step input the stream is
  // (seed, step), else (seed, run count of the node). With a row offset r (an int64 scalar), x is
  // taken as rows r, r + 1, ... of a larger batch: element i draws the number of element
  // i + r * (elements per row), so a row's values do not depend on which part of a batch (which
  // rank of a data-parallel job) computes it.
  r.define(op::RandomUniformLike,
           {.min_inputs = 1, .max_inputs = 3, .infer = infer_like_with_step, .random = true});
  // 0 with probability `rate`, else 1/(1 - rate); inputs as RandomUniformLike's.
  r.define(op::DropoutMask,
           {.min_inputs = 1, .max_inputs = 3, .infer = infer_like_with_step, .random = true});
}

}  // namespace nabla
