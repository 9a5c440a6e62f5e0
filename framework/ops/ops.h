// The ops of nabla, as free functions on Tensors. Each works in both modes: on symbolic tensors
// it adds a node to their graph, on eager tensors it computes at once (see dispatch.h). Binary
// element-wise ops broadcast like numpy, and their gradients reduce back over broadcast axes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "framework/core/tensor.h"

namespace nabla {

// ---------------------------------------------------------------- element-wise arithmetic
Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
/// a ** b, element-wise (the gradient w.r.t. b needs a > 0).
Tensor pow(const Tensor& a, const Tensor& b);
Tensor maximum(const Tensor& a, const Tensor& b);
Tensor minimum(const Tensor& a, const Tensor& b);
/// Sum of tensors of one shape (the accumulation of gradients).
Tensor add_n(const TensorList& xs);
Tensor neg(const Tensor& x);
Tensor square(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor rsqrt(const Tensor& x);
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
/// log(1 + x), accurate near 0.
Tensor log1p(const Tensor& x);
Tensor abs(const Tensor& x);
/// -1, 0 or 1.
Tensor sign(const Tensor& x);
Tensor reciprocal(const Tensor& x);
Tensor cos(const Tensor& x);
Tensor sin(const Tensor& x);
Tensor floor(const Tensor& x);
Tensor clip_by_value(const Tensor& x, double lo, double hi);

Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& x);

// In-place arithmetic. On eager tensors the result is written into the tensor's own memory
// (which other handles and a variable reading it share); it is an error on a tensor a
// GradientTape recorded. On symbolic tensors `a *= b` is `a = a * b`.
Tensor& operator+=(Tensor& self, const Tensor& other);
Tensor& operator-=(Tensor& self, const Tensor& other);
Tensor& operator*=(Tensor& self, const Tensor& other);
Tensor& operator/=(Tensor& self, const Tensor& other);

// ---------------------------------------------------------------- comparisons and selection
// Comparisons return bool tensors and have no gradient.
Tensor equal(const Tensor& a, const Tensor& b);
Tensor not_equal(const Tensor& a, const Tensor& b);
Tensor less(const Tensor& a, const Tensor& b);
Tensor less_equal(const Tensor& a, const Tensor& b);
Tensor greater(const Tensor& a, const Tensor& b);
Tensor greater_equal(const Tensor& a, const Tensor& b);
Tensor logical_and(const Tensor& a, const Tensor& b);
Tensor logical_not(const Tensor& x);
/// Elements of a where cond is true, else of b (all three broadcast together).
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);
/// Converts the element type; the gradient flows back between floating types.
Tensor cast(const Tensor& x, DType dtype);

// ---------------------------------------------------------------- linear algebra
/// Matrix product of rank-2 tensors, op(a) · op(b) with op transposing when asked. The
/// transposes are free: no transposed copy is made.
Tensor matmul(const Tensor& a, const Tensor& b, bool transpose_a = false, bool transpose_b = false);

// ---------------------------------------------------------------- reductions
/// Sum over `axes` (all axes when empty); keepdims keeps them as size 1.
Tensor reduce_sum(const Tensor& x, const std::vector<int>& axes = {}, bool keepdims = false);
Tensor reduce_mean(const Tensor& x, const std::vector<int>& axes = {}, bool keepdims = false);
/// Maximum over axes; the gradient is shared equally among tied maxima.
Tensor reduce_max(const Tensor& x, const std::vector<int>& axes = {}, bool keepdims = false);
Tensor reduce_min(const Tensor& x, const std::vector<int>& axes = {}, bool keepdims = false);
/// Index of the largest element along `axis` (int64; the first one on ties). No gradient.
Tensor argmax(const Tensor& x, int axis = -1);
/// log(sum(exp(x))) over axes, computed stably.
Tensor reduce_logsumexp(const Tensor& x, const std::vector<int>& axes = {}, bool keepdims = false);

// ---------------------------------------------------------------- shapes
/// Same elements, new shape; one dimension may be -1 (inferred).
Tensor reshape(const Tensor& x, const Shape& shape);
/// Permutes axes; an empty perm reverses them.
Tensor transpose(const Tensor& x, const std::vector<int>& perm = {});
/// Joins tensors along `axis`.
Tensor concat(const TensorList& xs, int axis);
/// x[begin : begin + size] per axis; a size of -1 runs to the end of that axis.
Tensor slice(const Tensor& x, const std::vector<int64_t>& begin, const std::vector<int64_t>& size);
Tensor expand_dims(const Tensor& x, int axis);
/// Removes the size-1 axis `axis`.
Tensor squeeze(const Tensor& x, int axis);
/// Broadcasts x to `shape`.
Tensor broadcast_to(const Tensor& x, const Shape& shape);
Tensor identity(const Tensor& x);
/// Rows of `params` picked by `indices` (int32/int64 [n]): params[indices[i], ...], as tf.gather
/// on axis 0. An index out of range is a ValueError naming it.
Tensor gather(const Tensor& params, const Tensor& indices);
/// Identity whose gradient is zero: values pass, gradients stop.
Tensor stop_gradient(const Tensor& x);
/// One-hot vectors of length `depth` along a new last axis; indices out of range give all
/// `off_value` (as in TensorFlow).
Tensor one_hot(const Tensor& indices, int64_t depth, double on_value = 1.0, double off_value = 0.0,
               DType dtype = DType::Float32);

// ---------------------------------------------------------------- filled tensors
// These take no tensor input, so they add nodes to the default graph (lazy: nothing is
// allocated until a Session runs them). Eager tensors come from Tensor::zeros etc.
Tensor fill(const Shape& shape, double value, DType dtype = DType::Float32);
Tensor zeros(const Shape& shape, DType dtype = DType::Float32);
Tensor ones(const Shape& shape, DType dtype = DType::Float32);
Tensor zeros_like(const Tensor& x);
Tensor ones_like(const Tensor& x);
Tensor fill_like(const Tensor& x, double value);

// ---------------------------------------------------------------- random
// Seeded and reproducible: each run of a node (or each eager call) draws a new stream of the
// Philox generator determined by (seed, run count, element), the same on every device.
Tensor random_normal(const Shape& shape, double mean = 0.0, double stddev = 1.0, uint64_t seed = 0,
                     DType dtype = DType::Float32);
Tensor random_uniform(const Shape& shape, double minval = 0.0, double maxval = 1.0,
                      uint64_t seed = 0, DType dtype = DType::Float32);
/// Normal values redrawn until within two standard deviations of the mean.
Tensor truncated_normal(const Shape& shape, double mean = 0.0, double stddev = 1.0,
                        uint64_t seed = 0, DType dtype = DType::Float32);
/// Uniform [0, 1) values shaped like x. With `step` (an int64 scalar) the values are a function
/// of (seed, step), as dropout's mask is; otherwise each run of the node draws new ones.
/// `row_offset` (an int64 scalar, needs `step`) takes x as rows offset, offset + 1, ... of a
/// larger batch, as dropout's does.
Tensor random_uniform_like(const Tensor& x, uint64_t seed = 0, const Tensor& step = Tensor(),
                           const Tensor& row_offset = Tensor());
/// Zeroes each element with probability `rate` and scales the rest by 1/(1 - rate). When `step`
/// (an int64 scalar, e.g. a training step count) is given, the mask is a function of
/// (seed, step); otherwise each run of the node draws a new mask. `row_offset` (an int64 scalar,
/// with a step) says x holds rows row_offset, row_offset + 1, ... of a larger batch, and each row
/// then draws the mask it would draw there (data-parallel ranks computing parts of one batch).
/// Inference simply does not call dropout (Keras layers pass training=false).
Tensor dropout(const Tensor& x, double rate, uint64_t seed = 0, const Tensor& step = Tensor(),
               const Tensor& row_offset = Tensor());

// ---------------------------------------------------------------- activations
Tensor relu(const Tensor& x);
/// min(max(x, 0), 6).
Tensor relu6(const Tensor& x);
Tensor leaky_relu(const Tensor& x, double alpha = 0.2);
Tensor elu(const Tensor& x, double alpha = 1.0);
Tensor selu(const Tensor& x);
Tensor sigmoid(const Tensor& x);
/// Piece-wise linear sigmoid: clip(slope * x + 0.5, 0, 1). Keras 3 uses slope 1/6, Keras 2 0.2.
Tensor hard_sigmoid(const Tensor& x, double slope = 1.0 / 6.0);
Tensor tanh(const Tensor& x);
/// log(1 + exp(x)), computed stably.
Tensor softplus(const Tensor& x);
/// x / (1 + |x|).
Tensor softsign(const Tensor& x);
/// x · Φ(x); with `approximate` the tanh approximation.
Tensor gelu(const Tensor& x, bool approximate = false);
/// x · sigmoid(x), also called swish.
Tensor silu(const Tensor& x);
inline Tensor swish(const Tensor& x) {
  return silu(x);
}
/// x · tanh(softplus(x)).
Tensor mish(const Tensor& x);
/// Softmax along `axis`.
Tensor softmax(const Tensor& x, int axis = -1);
/// log(softmax(x)) along `axis`, computed stably.
Tensor log_softmax(const Tensor& x, int axis = -1);

// ---------------------------------------------------------------- neural-network helpers
/// x + bias over the last axis of x (bias has shape [x.shape[-1]]).
Tensor bias_add(const Tensor& x, const Tensor& bias);
/// Per-row cross-entropy of softmax(logits) against integer labels (no log(0), ever). Labels
/// outside [0, classes) are a ValueError naming the op and the label.
Tensor sparse_softmax_cross_entropy_with_logits(const Tensor& labels, const Tensor& logits);
/// Per-row cross-entropy of softmax(logits) against probability rows.
Tensor softmax_cross_entropy_with_logits(const Tensor& labels, const Tensor& logits);
/// Element-wise cross-entropy of sigmoid(logits) against probabilities, computed stably.
Tensor sigmoid_cross_entropy_with_logits(const Tensor& labels, const Tensor& logits);

// ---------------------------------------------------------------- state
// Updates of variables, run for their effect (no output). Reads of the variable in the same
// Session run happen before the update.
Tensor assign(const Tensor& variable, const Tensor& value);
Tensor assign_add(const Tensor& variable, const Tensor& value);
Tensor assign_sub(const Tensor& variable, const Tensor& value);

}  // namespace nabla
