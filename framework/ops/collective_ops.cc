// Definitions of the collective ops (see collective_ops.h).
#include "framework/ops/collective_ops.h"

#include "framework/ops/op_helpers.h"

namespace nabla {

namespace {

TensorSpec infer_start(const InferContext& c) {
  if (c.dtype(0) != DType::Float32 || c.shape(0).rank() != 0)
    c.fail("the share must be a float32 scalar, got " + std::string(dtype_name(c.dtype(0))) + " " +
           c.shape(0).to_string());
  int64_t count = 0;
  for (int i = 1; i < c.num_inputs(); ++i) {
    c.require_floating(i);
    if (c.dtype(i) != c.dtype(1))
      c.fail("gradients of one bucket must share a dtype, got " +
             std::string(dtype_name(c.dtype(1))) + " and " + dtype_name(c.dtype(i)));
    if (!c.shape(i).is_fully_defined())
      c.fail("gradient " + std::to_string(i - 1) + " has no fully defined shape (" +
             c.shape(i).to_string() + ")");
    count += c.shape(i).numel();
  }
  return {Shape{count}, c.dtype(1)};
}

TensorSpec infer_unpack(const InferContext& c) {
  const Shape& shape = c.attrs.get_shape("shape");
  const int64_t offset = c.attrs.get_int("offset");
  if (c.shape(0).rank() != 1) c.fail("the bucket must be 1-D, got " + c.shape(0).to_string());
  if (c.shape(0)[0] >= 0 && (offset < 0 || offset + shape.numel() > c.shape(0)[0]))
    c.fail("elements [" + std::to_string(offset) + ", " + std::to_string(offset + shape.numel()) +
           ") lie outside the bucket of " + std::to_string(c.shape(0)[0]));
  return {shape, c.dtype(0)};
}

}  // namespace

Tensor all_reduce_start(const Tensor& share, const TensorList& grads, int64_t group,
                        int64_t bucket) {
  TensorList inputs{share};
  inputs.insert(inputs.end(), grads.begin(), grads.end());
  return apply_op(op::AllReduceStart, inputs, {{"group", group}, {"bucket", bucket}});
}

Tensor all_reduce_unpack(const Tensor& buffer, int64_t group, int64_t bucket, int64_t offset,
                         const Shape& shape, double scale) {
  return apply_op(op::AllReduceUnpack, {buffer},
                  {{"group", group},
                   {"bucket", bucket},
                   {"offset", offset},
                   {"shape", shape},
                   {"scale", scale}});
}

Tensor all_reduce_sum(const Tensor& x, int64_t group) {
  return apply_op(op::AllReduceSum, {x}, {{"group", group}});
}

void register_collective_ops(OpRegistry& r) {
  r.define(op::AllReduceStart,
           {.min_inputs = 2, .max_inputs = -1, .infer = infer_start, .schedule_early = true});
  r.define(op::AllReduceUnpack, {.min_inputs = 1, .max_inputs = 1, .infer = infer_unpack});
  r.define(op::AllReduceSum, {.min_inputs = 1,
                              .max_inputs = 1,
                              .infer = op_helpers::floating_unary,
                              .grad = [](const GradContext& c) -> TensorList {
                                return {all_reduce_sum(c.grad, c.attrs.get_int("group"))};
                              }});
}

}  // namespace nabla
