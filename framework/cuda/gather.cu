// CUDA kernels of Gather (rows of params by index; also how the fit loop assembles each batch
// from the data set on the device) and of its gradient, a scatter-add with atomics.
//
// An index outside [0, rows) is reported through the device error record (the CPU kernel throws
// ValueError; here the host throws it once the stream is synchronized) and gives zeros.
#include <type_traits>

#include "framework/backend/backend.h"
#include "framework/cuda/launch.cuh"

namespace nabla::cuda::gather_ops {

// Calls body.template operator()<I>() for the integer type of an index tensor.
template <class F>
void dispatch_index(const KernelArgs& args, const TensorView& indices, F&& body) {
  dispatch_numeric(indices.dtype, args, [&]<class I>() {
    if constexpr (std::is_integral_v<I>) {
      body.template operator()<I>();
    } else {
      throw TypeError(args.where() + ": indices must be int32 or int64, got " +
                      dtype_name(indices.dtype));
    }
  });
}

// Where element e of a gather's output comes from: row idx[e / width], column e % width. An
// index out of range is reported and gives -1.
struct RowMap {
  int64_t rows, width;
  DeviceErrorRecord* errors;
  ErrorTag tag;

  template <class I>
  __device__ int64_t source(const I* idx, int64_t e) const {
    const int64_t i = e / width, row = static_cast<int64_t>(idx[i]);
    if (row >= 0 && row < rows) return row * width + e % width;
    report_error(errors, tag, DeviceErrorKind::IndexOutOfRange, row, i, rows);
    return -1;
  }
};

RowMap row_map(const KernelArgs& args, int64_t rows, int64_t width) {
  return {rows, width, context(args).errors, error_tag(args)};
}

template <class U, class I>
void gather(const KernelArgs& args, RowMap map) {
  const U* src = args.in(0).as<U>();
  const I* idx = args.in(1).as<I>();
  U* dst = args.output.as<U>();
  for_each(args, args.in(1).numel() * map.width, [=] __device__(int64_t e) {
    const int64_t from = map.source(idx, e);
    dst[e] = from < 0 ? U(0) : src[from];
  });
}

void gather_kernel(const KernelArgs& args) {
  const TensorView& params = args.in(0);
  const int64_t rows = params.shape[0];
  const int64_t width = rows ? params.numel() / rows : 0;
  if (width == 0) return;
  dispatch_bits(params.dtype, [&]<class U>() {
    dispatch_index(args, args.in(1),
                   [&]<class I>() { gather<U, I>(args, row_map(args, rows, width)); });
  });
}

template <class T, class I>
void gather_grad(const KernelArgs& args, RowMap map) {
  const T* g = args.in(0).as<T>();
  const I* idx = args.in(1).as<I>();
  T* out = args.output.as<T>();
  for_each(args, args.in(1).numel() * map.width, [=] __device__(int64_t e) {
    const int64_t to = map.source(idx, e);
    if (to >= 0) atomicAdd(out + to, g[e]);
  });
}

void gather_grad_kernel(const KernelArgs& args) {
  const int64_t rows = args.output.shape[0];
  const int64_t width = rows ? args.output.numel() / rows : 0;
  const size_t bytes = static_cast<size_t>(args.output.numel()) * dtype_size(args.output.dtype);
  if (bytes)
    NABLA_CUDA_CHECK(cudaMemsetAsync(args.output.data, 0, bytes, context(args).stream), &args);
  if (width == 0) return;
  dispatch_float(args.in(0).dtype, args, [&]<class T>() {
    dispatch_index(args, args.in(1),
                   [&]<class I>() { gather_grad<T, I>(args, row_map(args, rows, width)); });
  });
}

}  // namespace nabla::cuda::gather_ops

namespace nabla::cuda {

void register_gather_kernels(Backend& b) {
  b.register_kernel(op::Gather, gather_ops::gather_kernel);
  b.register_kernel(op::GatherGrad, gather_ops::gather_grad_kernel);
}

}  // namespace nabla::cuda
