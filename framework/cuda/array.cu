// CUDA kernels that move elements around: transpose, concat, slice and its gradient, one_hot.
// Kernels that only move elements are instantiated per element size, not per dtype.
#include <type_traits>

#include "framework/backend/backend.h"
#include "framework/cuda/launch.cuh"

namespace nabla::cuda::array_ops {

using kernels::row_major_strides;

// y[i] = x[box.offset(i)] (to_box false) or y[box.offset(i)] = x[i] (to_box true).
template <class U>
void copy_strided(const KernelArgs& args, const void* src, void* dst, int64_t n, StridedBox box,
                  bool to_box) {
  const U* x = static_cast<const U*>(src);
  U* y = static_cast<U*>(dst);
  if (to_box) {
    for_each(args, n, [=] __device__(int64_t i) { y[box.offset(i)] = x[i]; });
  } else {
    for_each(args, n, [=] __device__(int64_t i) { y[i] = x[box.offset(i)]; });
  }
}

void copy_strided_any(const KernelArgs& args, DType dtype, const void* src, void* dst, int64_t n,
                      const StridedBox& box, bool to_box) {
  dispatch_bits(dtype, [&]<class U>() { copy_strided<U>(args, src, dst, n, box, to_box); });
}

void transpose_kernel(const KernelArgs& args) {
  const TensorView& x = args.in(0);
  const Shape& out = args.output.shape;
  const int rank = out.rank();
  const auto& perm = args.attrs->get_ints("perm");
  int64_t in_strides[kMaxRank];
  row_major_strides(x.shape, in_strides);
  StridedBox box;
  box.rank = rank;
  for (int i = 0; i < rank; ++i) {
    box.dims[i] = out[i];
    box.strides[i] = in_strides[perm.empty() ? rank - 1 - i : kernel_axis(args, perm[i], rank)];
  }
  copy_strided_any(args, x.dtype, x.data, args.output.data, out.numel(), box, false);
}

// Each input is a 2-D block (outer rows of its chunk) of the output: one cudaMemcpy2DAsync each.
void concat_kernel(const KernelArgs& args) {
  const Shape& out = args.output.shape;
  const int axis = kernel_axis(args, args.attrs->get_int("axis"), out.rank());
  int64_t outer = 1;
  for (int i = 0; i < axis; ++i) outer *= out[i];
  if (outer == 0) return;
  const size_t elem = dtype_size(args.output.dtype);
  const size_t out_pitch = static_cast<size_t>(out.numel() / outer) * elem;
  char* dst = static_cast<char*>(args.output.data);
  size_t offset = 0;
  for (int k = 0; k < args.num_inputs; ++k) {
    const TensorView& x = args.in(k);
    const size_t width = static_cast<size_t>(x.numel() / outer) * elem;
    if (width) {
      NABLA_CUDA_CHECK(cudaMemcpy2DAsync(dst + offset, out_pitch, x.data, width, width,
                                         static_cast<size_t>(outer), cudaMemcpyDeviceToDevice,
                                         context(args).stream),
                       &args);
    }
    offset += width;
  }
}

// The box of `big` starting at `begin` with the shape of `small`, as offsets into `big`.
StridedBox box_of(const Shape& big, const Shape& small, const std::vector<int64_t>& begin) {
  int64_t big_strides[kMaxRank];
  row_major_strides(big, big_strides);
  StridedBox box;
  box.rank = small.rank();
  for (int i = 0; i < box.rank; ++i) {
    box.dims[i] = small[i];
    box.strides[i] = big_strides[i];
    box.base += begin[i] * big_strides[i];
  }
  return box;
}

void slice_kernel(const KernelArgs& args) {
  const StridedBox box = box_of(args.in(0).shape, args.output.shape, args.attrs->get_ints("begin"));
  copy_strided_any(args, args.output.dtype, args.in(0).data, args.output.data, args.output.numel(),
                   box, false);
}

void slice_grad_kernel(const KernelArgs& args) {
  const size_t bytes = static_cast<size_t>(args.output.numel()) * dtype_size(args.output.dtype);
  if (bytes)
    NABLA_CUDA_CHECK(cudaMemsetAsync(args.output.data, 0, bytes, context(args).stream), &args);
  const StridedBox box = box_of(args.output.shape, args.in(0).shape, args.attrs->get_ints("begin"));
  copy_strided_any(args, args.output.dtype, args.in(0).data, args.output.data, args.in(0).numel(),
                   box, true);
}

template <class I, class T>
void one_hot(const KernelArgs& args, int64_t depth, double on_value, double off_value) {
  const I* idx = args.in(0).as<I>();
  T* y = args.output.as<T>();
  const T on = static_cast<T>(on_value), off = static_cast<T>(off_value);
  for_each(args, args.in(0).numel() * depth, [=] __device__(int64_t e) {
    const int64_t i = static_cast<int64_t>(idx[e / depth]);
    y[e] = i == e % depth ? on : off;  // an index outside [0, depth) matches no column
  });
}

void one_hot_kernel(const KernelArgs& args) {
  const int64_t depth = args.attrs->get_int("depth");
  const double on = args.attrs->get_float("on_value"), off = args.attrs->get_float("off_value");
  dispatch_numeric(args.in(0).dtype, args, [&]<class I>() {
    if constexpr (std::is_integral_v<I>) {
      dispatch_all(args.output.dtype, args,
                   [&]<class T>() { one_hot<I, T>(args, depth, on, off); });
    }
  });
}

}  // namespace nabla::cuda::array_ops

namespace nabla::cuda {

void register_array_kernels(Backend& b) {
  using namespace array_ops;
  b.register_kernel(op::Transpose, transpose_kernel);
  b.register_kernel(op::Concat, concat_kernel);
  b.register_kernel(op::Slice, slice_kernel);
  b.register_kernel(op::SliceGrad, slice_grad_kernel);
  b.register_kernel(op::OneHot, one_hot_kernel);
}

}  // namespace nabla::cuda
