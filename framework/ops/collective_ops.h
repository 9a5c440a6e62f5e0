// The graph ops of data-parallel training: a gradient bucket's non-blocking all-reduce (started
// by one op as soon as the bucket's gradients exist, finished by the ops that take the reduced
// gradients out of it) and a blocking sum over the ranks (synchronized batch statistics). Their
// kernels reach the ranks through a collective group (framework/distributed/collective_group.h)
// named by the "group" attribute; this header only builds the nodes.
#pragma once

#include <cstdint>

#include "framework/core/tensor.h"

namespace nabla {

/// Packs `grads` (one dtype, in order) into one buffer and starts the sum all-reduce of that
/// buffer over the ranks of collective group `group`, as its request `bucket`. Where `share` (a
/// float32 scalar: this rank's share of the batch's rows) is 0 the buffer holds zeros instead: a
/// rank without rows contributes nothing, whatever its gradients of an empty batch hold (NaN,
/// from means over no rows). Returns the buffer, 1-D. The op is scheduled as soon as its inputs
/// are ready.
Tensor all_reduce_start(const Tensor& share, const TensorList& grads, int64_t group,
                        int64_t bucket);
/// Waits for request `bucket` of `group` (once per step: later calls find it complete) and
/// returns elements [offset, offset + shape.numel()) of the reduced buffer, multiplied by
/// `scale` (1 / the number of ranks: the mean), shaped `shape`.
Tensor all_reduce_unpack(const Tensor& buffer, int64_t group, int64_t bucket, int64_t offset,
                         const Shape& shape, double scale);
/// The sum of x over the ranks of `group`, blocking (every rank must run it at the same point of
/// the same plan). Its gradient is the same sum of the incoming gradient, so a statistic computed
/// from the sum (a synchronized batch mean) backpropagates into every rank's rows.
Tensor all_reduce_sum(const Tensor& x, int64_t group);

}  // namespace nabla
