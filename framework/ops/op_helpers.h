// Shared pieces of op definitions: common shape functions and gradient helpers.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "framework/ops/dispatch.h"
#include "framework/ops/op_def.h"
#include "framework/ops/ops.h"

namespace nabla::op_helpers {

/// Output like input 0 (element-wise unary ops).
TensorSpec same_as_input(const InferContext& c);
/// Like input 0, which must be floating point.
TensorSpec floating_unary(const InferContext& c);
/// Broadcast of inputs 0 and 1, which share a dtype; `out` overrides the dtype (comparisons).
TensorSpec broadcast_binary(const InferContext& c, bool bool_output = false);
/// No output (assignments, optimizer updates).
TensorSpec no_output(const InferContext& c);

/// The gradient `g` of a broadcast op's output, reduced back to the shape of input `x`.
Tensor unbroadcast(const Tensor& g, const Tensor& x);
/// `g` (the gradient of a reduction over `axes` of x) broadcast back to the shape of x.
Tensor unreduce(const Tensor& g, const Tensor& x, const std::vector<int64_t>& axes, bool keepdims);
/// Axes from an attribute, normalised for rank `rank` (all axes when empty), sorted, unique.
std::vector<int64_t> normalized_axes(const std::vector<int64_t>& axes, int rank,
                                     const std::string& where);
/// Runs `op` on the default graph or eagerly (thin wrapper over apply_op).
Tensor op(OpId id, const TensorList& inputs, const Attrs& attrs = {});

}  // namespace nabla::op_helpers

namespace nabla {
// Registration of the built-in op families (called once by OpRegistry).
void register_math_ops(OpRegistry& r);
void register_reduce_ops(OpRegistry& r);
void register_array_ops(OpRegistry& r);
void register_nn_ops(OpRegistry& r);
void register_random_ops(OpRegistry& r);
void register_state_ops(OpRegistry& r);
void register_training_ops(OpRegistry& r);
void register_collective_ops(OpRegistry& r);
}  // namespace nabla
