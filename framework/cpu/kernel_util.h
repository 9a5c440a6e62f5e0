// Helpers shared by the CPU kernels: parallel loops and broadcast indexing (plus the
// backend-neutral ones of framework/backend/kernel_helpers.h).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "framework/backend/kernel.h"
#include "framework/backend/kernel_helpers.h"
#include "framework/core/attrs.h"
#include "framework/core/errors.h"
#include "framework/cpu/sgemm.h"
#include "framework/runtime/thread_pool.h"

namespace nabla::cpu {

using kernels::broadcast_strides;
using kernels::dispatch_all;
using kernels::dispatch_float;
using kernels::dispatch_numeric;
using kernels::kernel_axis;

inline ThreadPool& pool(const KernelArgs& args) {
  return *static_cast<ThreadPool*>(args.context);
}

/// What a plan step that runs beside another one (Plan: independent products side by side) keeps
/// from one run to the next, in KernelArgs::scratch (null elsewhere): nabla's own GEMM kernel's
/// packing buffers, one per block. Such a step runs on whichever thread takes it, so buffers
/// kept per thread would grow whenever a thread first took the larger of the two.
struct StepWorkspace {
  std::vector<std::unique_ptr<SgemmScratch>> gemm_blocks;
};

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

/// y[i] = f(x[i]) over input 0 into the output, on the pool when large; `cost` is the work per
/// element in cycles.
template <class T, class F>
void unary_loop(const KernelArgs& args, int64_t cost, F f) {
  const T* x = args.in(0).as<T>();
  T* y = args.output.as<T>();
  parallel_range(args, args.output.numel(), cost, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) y[i] = f(x[i]);
  });
}

/// Element size-agnostic copy of a whole tensor.
inline void copy_view(const TensorView& dst, const TensorView& src) {
  if (dst.data != src.data)
    std::memcpy(dst.data, src.data, static_cast<size_t>(src.numel()) * dtype_size(src.dtype));
}

}  // namespace nabla::cpu
