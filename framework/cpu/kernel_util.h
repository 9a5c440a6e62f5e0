// Helpers shared by the CPU kernels: dtype dispatch, parallel loops, broadcast indexing.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>

#include "framework/backend/kernel.h"
#include "framework/core/attrs.h"
#include "framework/core/errors.h"
#include "framework/runtime/thread_pool.h"

namespace nabla::cpu {

/// Calls body.template operator()<T>() with T the C++ type of `dtype`, among float types.
template <class F>
void dispatch_float(DType dtype, const KernelArgs& args, F&& body) {
  switch (dtype) {
    case DType::Float32: body.template operator()<float>(); return;
    case DType::Float64: body.template operator()<double>(); return;
    default: throw TypeError(args.where() + ": no CPU kernel for " + dtype_name(dtype));
  }
}

/// Same, among the numeric types (floats and ints).
template <class F>
void dispatch_numeric(DType dtype, const KernelArgs& args, F&& body) {
  switch (dtype) {
    case DType::Float32: body.template operator()<float>(); return;
    case DType::Float64: body.template operator()<double>(); return;
    case DType::Int32: body.template operator()<int32_t>(); return;
    case DType::Int64: body.template operator()<int64_t>(); return;
    default: throw TypeError(args.where() + ": no CPU kernel for " + dtype_name(dtype));
  }
}

/// Same, among all types (bool as uint8_t).
template <class F>
void dispatch_all(DType dtype, const KernelArgs& args, F&& body) {
  if (dtype == DType::Bool) {
    body.template operator()<uint8_t>();
  } else {
    dispatch_numeric(dtype, args, body);
  }
}

inline ThreadPool& pool(const KernelArgs& args) { return *static_cast<ThreadPool*>(args.context); }

/// Runs fn(begin, end) over [0, n) on the pool when n is large enough to pay for it.
/// `cost` is the rough work per element in cycles.
template <class F>
void parallel_range(const KernelArgs& args, int64_t n, int64_t cost, F&& fn) {
  // Below ~65k cycles of work, waking a second thread costs more than it saves, and on a busy
  // machine a preempted worker can stall the whole op: small element-wise ops stay serial.
  constexpr int64_t kMinWorkPerTask = 65536;
  const int64_t grain = std::max<int64_t>(1, kMinWorkPerTask / std::max<int64_t>(1, cost));
  if (n <= grain) {
    fn(int64_t{0}, n);
  } else {
    pool(args).parallel_for(n, grain, fn);
  }
}

/// Row-major strides of `shape` aligned to an output of rank `out_rank`, with 0 along axes the
/// input broadcasts (size 1, or missing on the left).
inline void broadcast_strides(const Shape& in, const Shape& out, int64_t* strides) {
  const int r = out.rank();
  int64_t s = 1;
  for (int i = r - 1; i >= 0; --i) {
    const int j = in.rank() - r + i;
    const int64_t d = j >= 0 ? in[j] : 1;
    strides[i] = (d == 1 && out[i] != 1) ? 0 : s;
    s *= d;
  }
}

/// Walks the output of a broadcast op row by row (all axes but the last), giving the offset of
/// each input at the start of each row; the last axis advances by inner strides.
template <int N>
struct BroadcastWalker {
  Shape out;
  int64_t strides[N][Shape::kMaxRank];
  int64_t inner[N];
  int64_t row_len = 1;
  int64_t rows = 1;

  BroadcastWalker(const Shape& out_shape, const Shape* const in_shapes[N]) : out(out_shape) {
    for (int k = 0; k < N; ++k) broadcast_strides(*in_shapes[k], out, strides[k]);
    const int r = out.rank();
    row_len = r ? out[r - 1] : 1;
    rows = row_len ? out.numel() / row_len : 0;
    for (int k = 0; k < N; ++k) inner[k] = r ? strides[k][r - 1] : 0;
  }

  /// Offsets of each input at the start of output row `row`.
  void row_offsets(int64_t row, int64_t* offsets) const {
    for (int k = 0; k < N; ++k) offsets[k] = 0;
    for (int i = out.rank() - 2; i >= 0; --i) {
      const int64_t idx = row % out[i];
      row /= out[i];
      for (int k = 0; k < N; ++k) offsets[k] += idx * strides[k][i];
    }
  }
};

/// `axis` normalised for `rank`. Kernels call this instead of normalize_axis() so that the
/// message (which allocates) is built only on failure: kernels must not allocate.
inline int kernel_axis(const KernelArgs& args, int64_t axis, int rank) {
  if (axis < -rank || axis >= rank)
    throw ShapeError(args.where() + ": axis " + std::to_string(axis) + " is out of range for rank " +
                     std::to_string(rank));
  return static_cast<int>(axis < 0 ? axis + rank : axis);
}

/// Element size-agnostic copy of a whole tensor.
inline void copy_view(const TensorView& dst, const TensorView& src) {
  if (dst.data != src.data)
    std::memcpy(dst.data, src.data, static_cast<size_t>(src.numel()) * dtype_size(src.dtype));
}

}  // namespace nabla::cpu
