// CUDA kernels of the remaining element-wise ops: bias_add, select, cast, add_n, fills and the
// copies behind Identity, Reshape and friends.
#include <type_traits>

#include "framework/backend/backend.h"
#include "framework/cuda/kernels.h"
#include "framework/cuda/launch.cuh"
#include "framework/ops/elementwise_math.h"

namespace nabla::cuda::misc_ops {

template <class T>
void bias_add(const KernelArgs& args) {
  const T* x = args.in(0).as<T>();
  const T* b = args.in(1).as<T>();
  T* y = args.output.as<T>();
  const int64_t c = args.in(1).numel();
  if (c == 0) return;
  for_each(args, args.output.numel(), [=] __device__(int64_t i) { y[i] = x[i] + b[i % c]; });
}

void bias_add_kernel(const KernelArgs& args) {
  dispatch_numeric(args.in(0).dtype, args, [&]<class T>() { bias_add<T>(args); });
}

template <class U>
void select(const KernelArgs& args) {
  const uint8_t* c = args.in(0).as<uint8_t>();
  const U* a = args.in(1).as<U>();
  const U* b = args.in(2).as<U>();
  U* o = args.output.as<U>();
  const Shape* shapes[3] = {&args.in(0).shape, &args.in(1).shape, &args.in(2).shape};
  const Broadcast<3> bc = make_broadcast<3>(args.output.shape, shapes);
  for_each(args, args.output.numel(), [=] __device__(int64_t i) {
    int64_t off[3];
    bc.offsets(i, off);
    o[i] = c[off[0]] ? a[off[1]] : b[off[2]];
  });
}

void select_kernel(const KernelArgs& args) {
  dispatch_bits(args.in(1).dtype, [&]<class U>() { select<U>(args); });
}

// Cast's conversion is elementwise::convert, the CPU's: saturating, defined for NaN. Bool is held
// as uint8_t, and converting to it means "is not zero".
template <class From, class To>
void cast(const KernelArgs& args) {
  const From* x = args.in(0).as<From>();
  To* y = args.output.as<To>();
  const bool to_bool = args.output.dtype == DType::Bool;
  for_each(args, args.output.numel(), [=] __device__(int64_t i) {
    y[i] = to_bool ? static_cast<To>(elementwise::convert<bool>(x[i]))
                   : elementwise::convert<To>(x[i]);
  });
}

void cast_kernel(const KernelArgs& args) {
  dispatch_all(args.in(0).dtype, args, [&]<class From>() {
    dispatch_all(args.output.dtype, args, [&]<class To>() { cast<From, To>(args); });
  });
}

// Inputs are added in order (y = x0 + x1 + ...), as on the CPU, up to kMax per launch.
template <class T>
struct Addends {
  static constexpr int kMax = 8;
  const T* p[kMax];
  int count;
};

template <class T>
void add_n(const KernelArgs& args) {
  T* y = args.output.as<T>();
  for (int first = 0; first < args.num_inputs; first += Addends<T>::kMax) {
    Addends<T> in{};
    in.count = std::min(Addends<T>::kMax, args.num_inputs - first);
    for (int j = 0; j < in.count; ++j) in.p[j] = args.in(first + j).as<T>();
    const bool start = first == 0;
    for_each(args, args.output.numel(), [=] __device__(int64_t i) {
      T acc = start ? in.p[0][i] : y[i] + in.p[0][i];
      for (int j = 1; j < in.count; ++j) acc += in.p[j][i];
      y[i] = acc;
    });
  }
}

void add_n_kernel(const KernelArgs& args) {
  dispatch_numeric(args.output.dtype, args, [&]<class T>() { add_n<T>(args); });
}

template <class T>
void fill(const KernelArgs& args, double value) {
  T* y = args.output.as<T>();
  const T v = static_cast<T>(value);
  for_each(args, args.output.numel(), [=] __device__(int64_t i) { y[i] = v; });
}

}  // namespace nabla::cuda::misc_ops

namespace nabla::cuda {

void fill_on_device(const KernelArgs& args, double value) {
  dispatch_all(args.output.dtype, args, [&]<class T>() { misc_ops::fill<T>(args, value); });
}

}  // namespace nabla::cuda

namespace nabla::cuda::misc_ops {

void fill_kernel(const KernelArgs& args) {
  fill_on_device(args, args.attrs->get_float("value"));
}

void copy_kernel(const KernelArgs& args) {
  if (args.in(0).numel() != args.output.numel())
    throw ShapeError(args.where() + ": cannot reshape " + args.in(0).shape.to_string() + " into " +
                     args.output.shape.to_string());
  if (args.output.data == args.in(0).data) return;
  const size_t bytes = static_cast<size_t>(args.output.numel()) * dtype_size(args.output.dtype);
  if (bytes == 0) return;
  NABLA_CUDA_CHECK(cudaMemcpyAsync(args.output.data, args.in(0).data, bytes,
                                   cudaMemcpyDeviceToDevice, context(args).stream),
                   &args);
}

}  // namespace nabla::cuda::misc_ops

namespace nabla::cuda {

void register_misc_kernels(Backend& b) {
  using namespace misc_ops;
  b.register_kernel(op::BiasAdd, bias_add_kernel);
  b.register_kernel(op::Select, select_kernel);
  b.register_kernel(op::Cast, cast_kernel);
  b.register_kernel(op::AddN, add_n_kernel);
  b.register_kernel(op::Fill, fill_kernel);
  b.register_kernel(op::FillLike, fill_kernel);
  for (OpId op : kernels::kCopyOps) b.register_kernel(op, copy_kernel);
}

}  // namespace nabla::cuda
