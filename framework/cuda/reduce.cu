// CUDA kernels of reductions (sum, mean, max, min, argmax) and of the broadcast/reduce pair that
// gradients of broadcasting ops use.
//
// A reduction is planned on the host from the merged axis groups of kernel_helpers.h: long
// contiguous rows get one thread block each (a shared-memory tree); everything else one thread
// per output element, which walks its reduced elements in increasing input order, as the CPU
// kernel does.
#include <limits>

#include "framework/backend/backend.h"
#include "framework/cuda/kernels.h"
#include "framework/cuda/launch.cuh"

namespace nabla::cuda::reduce_ops {

using kernels::AxisMask;

enum class Reduction { Sum, Max, Min };

template <class T>
struct Combine {
  Reduction r;
  T init() const {
    if (r == Reduction::Sum) return T(0);
    if constexpr (std::numeric_limits<T>::has_infinity) {
      return r == Reduction::Max ? -std::numeric_limits<T>::infinity()
                                 : std::numeric_limits<T>::infinity();
    } else {
      return r == Reduction::Max ? std::numeric_limits<T>::lowest() : std::numeric_limits<T>::max();
    }
  }
  __device__ T operator()(T acc, T v) const {
    if (r == Reduction::Sum) return acc + v;
    if (v != v) return v;  // NaN wins, as in TensorFlow
    return r == Reduction::Max ? (v > acc ? v : acc) : (v < acc ? v : acc);
  }
};

// Kept and reduced axis groups with their input strides; output element o walks
// base(o) + every reduced offset.
struct Walk {
  int kept = 0, reduced = 0;
  int64_t kept_dims[kMaxRank], kept_strides[kMaxRank];
  int64_t red_dims[kMaxRank], red_strides[kMaxRank];
  int64_t red_total = 1;

  __device__ int64_t base(int64_t o) const {
    int64_t off = 0;
    for (int d = kept - 1; d >= 0; --d)
      off += (o % kept_dims[d]) * kept_strides[d], o /= kept_dims[d];
    return off;
  }
  __device__ int64_t reduced_offset(int64_t t) const {
    int64_t off = 0;
    for (int d = reduced - 1; d >= 0; --d)
      off += (t % red_dims[d]) * red_strides[d], t /= red_dims[d];
    return off;
  }
};

template <class T>
__global__ void reduce_rows_kernel(const T* x, T* y, int64_t rows, int64_t len, Combine<T> op,
                                   T init, bool scaled, T scale) {
  __shared__ T partial[kThreads];
  for (int64_t row = blockIdx.x; row < rows; row += gridDim.x) {
    T acc = init;
    for (int64_t j = threadIdx.x; j < len; j += blockDim.x) acc = op(acc, x[row * len + j]);
    partial[threadIdx.x] = acc;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
      if (threadIdx.x < s)
        partial[threadIdx.x] = op(partial[threadIdx.x], partial[threadIdx.x + s]);
      __syncthreads();
    }
    if (threadIdx.x == 0) y[row] = scaled ? partial[0] * scale : partial[0];
    __syncthreads();
  }
}

// Reduces x of shape `in` over `mask` into y, multiplied by `scale` when `scaled` (mean).
template <class T>
void reduce(const KernelArgs& args, const T* x, const Shape& in, AxisMask mask, T* y, Reduction r,
            bool scaled = false, T scale = T(1)) {
  const Combine<T> op{r};
  const T init = op.init();
  const int64_t out_n = args.output.numel();
  if (in.numel() == 0) {
    const T v = scaled ? init * scale : init;
    for_each(args, out_n, [=] __device__(int64_t i) { y[i] = v; });
    return;
  }
  const kernels::Groups g = kernels::group_dims(in, mask);
  int64_t group_stride[kMaxRank], stride = 1;
  for (int i = g.count - 1; i >= 0; --i) group_stride[i] = stride, stride *= g.size[i];
  Walk w;
  for (int i = 0; i < g.count; ++i) {  // outermost first, in both lists
    if (g.reduced[i]) {
      w.red_dims[w.reduced] = g.size[i], w.red_strides[w.reduced++] = group_stride[i];
      w.red_total *= g.size[i];
    } else {
      w.kept_dims[w.kept] = g.size[i], w.kept_strides[w.kept++] = group_stride[i];
    }
  }
  constexpr int64_t kLongRow = 64;
  const bool contiguous_rows = w.reduced == 1 && w.red_strides[0] == 1;
  if (contiguous_rows && w.red_total >= kLongRow) {
    Context& c = context(args);
    reduce_rows_kernel<T><<<blocks_for(out_n, 1), kThreads, 0, c.stream>>>(x, y, out_n, w.red_total,
                                                                           op, init, scaled, scale);
    NABLA_CUDA_CHECK_LAUNCH(&args);
    return;
  }
  for_each(args, out_n, [=] __device__(int64_t o) {
    const int64_t base = w.base(o);
    T acc = init;
    for (int64_t t = 0; t < w.red_total; ++t) acc = op(acc, x[base + w.reduced_offset(t)]);
    y[o] = scaled ? acc * scale : acc;
  });
}

template <Reduction R, bool Mean = false>
void reduce_kernel(const KernelArgs& args) {
  dispatch_numeric(args.in(0).dtype, args, [&]<class T>() {
    const TensorView& x = args.in(0);
    const AxisMask mask = kernels::axes_mask(args, x.shape.rank());
    T scale = T(1);
    if constexpr (Mean) {
      const int64_t count = kernels::reduced_count(x.shape, mask);
      scale = count ? T(1) / static_cast<T>(count) : std::numeric_limits<T>::quiet_NaN();
    }
    reduce<T>(args, x.as<T>(), x.shape, mask, args.output.as<T>(), R, Mean, scale);
  });
}

void reduce_to_shape_of_kernel(const KernelArgs& args) {
  const TensorView &g = args.in(0), &like = args.in(1);
  const AxisMask mask = kernels::reduce_to_shape_mask(args, g.shape, like.shape);
  dispatch_numeric(g.dtype, args, [&]<class T>() {
    reduce<T>(args, g.as<T>(), g.shape, mask, args.output.as<T>(), Reduction::Sum);
  });
}

template <class U>
void broadcast(const KernelArgs& args) {
  const U* x = args.in(0).as<U>();
  U* y = args.output.as<U>();
  const Shape* shapes[1] = {&args.in(0).shape};
  const Broadcast<1> bc = make_broadcast<1>(args.output.shape, shapes);
  for_each(args, args.output.numel(), [=] __device__(int64_t i) {
    int64_t off[1];
    bc.offsets(i, off);
    y[i] = x[off[0]];
  });
}

void broadcast_kernel(const KernelArgs& args) {
  dispatch_bits(args.in(0).dtype, [&]<class U>() { broadcast<U>(args); });
}

template <class T>
void argmax(const KernelArgs& args, kernels::AxisView v) {
  const T* x = args.in(0).as<T>();
  int64_t* y = args.output.as<int64_t>();
  for_each(args, v.outer * v.inner, [=] __device__(int64_t idx) {
    const T* p = x + (idx / v.inner) * v.n * v.inner + idx % v.inner;
    int64_t best = 0;
    for (int64_t j = 1; j < v.n; ++j)
      if (p[j * v.inner] > p[best * v.inner]) best = j;
    y[idx] = best;
  });
}

void argmax_kernel(const KernelArgs& args) {
  const Shape& in = args.in(0).shape;
  const int axis = kernel_axis(args, args.attrs->get_int("axis"), in.rank());
  const kernels::AxisView v = kernels::axis_view(in, axis);
  if (v.n == 0) throw ValueError(args.where() + ": argmax over an empty axis");
  dispatch_numeric(args.in(0).dtype, args, [&]<class T>() { argmax<T>(args, v); });
}

void reduced_size_kernel(const KernelArgs& args) {
  const double count = kernels::reduced_size(args, args.in(0).shape);
  dispatch_float(args.output.dtype, args, [&]<class T>() { fill_on_device(args, count); });
}

}  // namespace nabla::cuda::reduce_ops

namespace nabla::cuda {

void register_reduce_kernels(Backend& b) {
  using namespace reduce_ops;
  b.register_kernel(op::ReduceSum, reduce_kernel<Reduction::Sum>);
  b.register_kernel(op::ReduceMean, reduce_kernel<Reduction::Sum, true>);
  b.register_kernel(op::ReduceMax, reduce_kernel<Reduction::Max>);
  b.register_kernel(op::ReduceMin, reduce_kernel<Reduction::Min>);
  b.register_kernel(op::ReduceToShapeOf, reduce_to_shape_of_kernel);
  b.register_kernel(op::BroadcastLike, broadcast_kernel);
  b.register_kernel(op::BroadcastTo, broadcast_kernel);
  b.register_kernel(op::ArgMax, argmax_kernel);
  b.register_kernel(op::ReducedSize, reduced_size_kernel);
}

}  // namespace nabla::cuda
