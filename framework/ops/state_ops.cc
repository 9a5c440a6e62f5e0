// Assignments to variables.
#include "framework/ops/op_helpers.h"

namespace nabla {

using namespace op_helpers;

namespace {
TensorSpec infer_assign(const InferContext& c) {
  c.require_same_dtype();
  const Shape b = broadcast_shapes(c.shape(0), c.shape(1), c.where());
  if (b != c.shape(0))
    c.fail("cannot assign a value of shape " + c.shape(1).to_string() + " to a variable of shape " +
           c.shape(0).to_string());
  return no_output(c);
}
}  // namespace

Tensor assign(const Tensor& variable, const Tensor& value) {
  return apply_op(op::Assign, {variable, value});
}
Tensor assign_add(const Tensor& variable, const Tensor& value) {
  return apply_op(op::AssignAdd, {variable, value});
}
Tensor assign_sub(const Tensor& variable, const Tensor& value) {
  return apply_op(op::AssignSub, {variable, value});
}

void register_state_ops(OpRegistry& r) {
  r.define(op::NoOp, {.infer = no_output, .has_output = false});
  for (OpId id : {op::Assign, op::AssignAdd, op::AssignSub})
    r.define(id, {.min_inputs = 2,
                  .max_inputs = 2,
                  .infer = infer_assign,
                  .has_output = false,
                  .mutates = {0}});
}

}  // namespace nabla
