// Launch helpers of the CUDA kernels: a grid-stride loop over n elements running a __device__
// lambda, and the index arithmetic of broadcasting and strided boxes on the device.
//
// Functions that define __device__ lambdas live in named namespaces (not anonymous ones) and
// are never generic lambdas themselves: both are restrictions of nvcc's extended lambdas.
#pragma once

#include <algorithm>
#include <cstdint>

#include "framework/backend/kernel_helpers.h"
#include "framework/cuda/context.h"
#include "framework/cuda/device_error.h"

namespace nabla::cuda {

using kernels::dispatch_all;
using kernels::dispatch_float;
using kernels::dispatch_numeric;
using kernels::kernel_axis;

constexpr int kThreads = 256;
constexpr int kMaxRank = Shape::kMaxRank;

template <class F>
__global__ void for_each_kernel(int64_t n, F f) {
  const int64_t stride = static_cast<int64_t>(blockDim.x) * gridDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride)
    f(i);
}

/// Blocks for n elements, capped: the loop strides over the rest.
inline unsigned blocks_for(int64_t n, int threads = kThreads) {
  constexpr int64_t kMaxBlocks = 1 << 16;
  return static_cast<unsigned>(std::min<int64_t>((n + threads - 1) / threads, kMaxBlocks));
}

/// Runs f(i) for i in [0, n) on the kernel call's stream.
template <class F>
void for_each(const KernelArgs& args, int64_t n, F f) {
  if (n <= 0) return;
  Context& c = context(args);
  for_each_kernel<<<blocks_for(n), kThreads, 0, c.stream>>>(n, f);
  NABLA_CUDA_CHECK_LAUNCH(&args);
}

/// Device-side numpy broadcasting of N inputs to an output: the offset of each input's element
/// for output element i. Passed to kernels by value.
template <int N>
struct Broadcast {
  int rank = 0;
  int64_t dims[kMaxRank] = {};
  int64_t strides[N][kMaxRank] = {};

  __device__ void offsets(int64_t i, int64_t* off) const {
    for (int k = 0; k < N; ++k) off[k] = 0;
    for (int d = rank - 1; d >= 0; --d) {
      const int64_t idx = i % dims[d];
      i /= dims[d];
      for (int k = 0; k < N; ++k) off[k] += idx * strides[k][d];
    }
  }
};

template <int N>
Broadcast<N> make_broadcast(const Shape& out, const Shape* const in[N]) {
  Broadcast<N> b;
  b.rank = out.rank();
  for (int d = 0; d < b.rank; ++d) b.dims[d] = out[d];
  for (int k = 0; k < N; ++k) kernels::broadcast_strides(*in[k], out, b.strides[k]);
  return b;
}

/// A strided box of a row-major tensor: element i of a tensor shaped `dims` sits at
/// base + sum(coordinate[d] * strides[d]) in the other tensor (transpose, slice).
struct StridedBox {
  int rank = 0;
  int64_t base = 0;
  int64_t dims[kMaxRank] = {};
  int64_t strides[kMaxRank] = {};

  __device__ int64_t offset(int64_t i) const {
    int64_t off = base;
    for (int d = rank - 1; d >= 0; --d) {
      off += (i % dims[d]) * strides[d];
      i /= dims[d];
    }
    return off;
  }
};

/// Calls body.template operator()<U>() with U an unsigned type of the element size of `dtype`:
/// kernels that only move elements need one instantiation per size, not per dtype.
template <class F>
void dispatch_bits(DType dtype, F&& body) {
  switch (dtype_size(dtype)) {
    case 1:
      body.template operator()<uint8_t>();
      return;
    case 4:
      body.template operator()<uint32_t>();
      return;
    default:
      body.template operator()<uint64_t>();
      return;
  }
}

}  // namespace nabla::cuda
