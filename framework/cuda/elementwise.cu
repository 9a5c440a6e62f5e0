// CUDA kernels of the element-wise families of framework/ops/elementwise_math.h: one generic
// kernel per family (unary; binary and comparisons with numpy broadcasting), instantiated for
// every op of the lists, so the GPU computes exactly the functions the CPU does. Plus logical
// and/not.
#include <type_traits>

#include "framework/backend/backend.h"
#include "framework/cuda/kernels.h"
#include "framework/cuda/launch.cuh"
#include "framework/ops/elementwise_math.h"

namespace nabla::cuda::elementwise_ops {

template <class T, class F>
void unary(const KernelArgs& args, F f) {
  const T* x = args.in(0).as<T>();
  T* y = args.output.as<T>();
  for_each(args, args.output.numel(), [=] __device__(int64_t i) { y[i] = f(x[i]); });
}

template <class F>
void unary_kernel(const KernelArgs& args) {
  if constexpr (F::kTypes == elementwise::Types::Float) {
    dispatch_float(args.in(0).dtype, args, [&]<class T>() { unary<T>(args, F{}); });
  } else {
    dispatch_numeric(args.in(0).dtype, args, [&]<class T>() { unary<T>(args, F{}); });
  }
}

// Same-shape and scalar operands take the plain loop; anything else the broadcast walk.
template <class T, class Out, class F>
void binary(const KernelArgs& args, F f) {
  const TensorView &a = args.in(0), &b = args.in(1), &o = args.output;
  const T* pa = a.as<T>();
  const T* pb = b.as<T>();
  Out* po = o.as<Out>();
  const int64_t n = o.numel();
  if (a.shape == o.shape && b.shape == o.shape) {
    for_each(args, n, [=] __device__(int64_t i) { po[i] = f(pa[i], pb[i]); });
  } else if (b.numel() == 1 && a.shape == o.shape) {
    for_each(args, n, [=] __device__(int64_t i) { po[i] = f(pa[i], pb[0]); });
  } else if (a.numel() == 1 && b.shape == o.shape) {
    for_each(args, n, [=] __device__(int64_t i) { po[i] = f(pa[0], pb[i]); });
  } else {
    const Shape* shapes[2] = {&a.shape, &b.shape};
    const Broadcast<2> bc = make_broadcast<2>(o.shape, shapes);
    for_each(args, n, [=] __device__(int64_t i) {
      int64_t off[2];
      bc.offsets(i, off);
      po[i] = f(pa[off[0]], pb[off[1]]);
    });
  }
}

// A functor whose integer form must not divide by zero reports it (the CPU kernel throws; a
// kernel cannot, so the host throws the same error when the stream is synchronized).
template <class F>
struct CheckedDivisor {
  DeviceErrorRecord* errors;
  ErrorTag tag;
  template <class T>
  __device__ T operator()(T a, T b) const {
    if constexpr (std::is_integral_v<T>) {
      if (b == T(0)) report_error(errors, tag, DeviceErrorKind::DivisionByZero, 0, 0, 0);
    }
    return F{}(a, b);
  }
};

template <class F>
void arithmetic_kernel(const KernelArgs& args) {
  dispatch_numeric(args.in(0).dtype, args, [&]<class T>() {
    if constexpr (elementwise::checks_divisor<F> && std::is_integral_v<T>) {
      binary<T, T>(args, CheckedDivisor<F>{context(args).errors, error_tag(args)});
    } else {
      binary<T, T>(args, F{});
    }
  });
}

template <class F>
void comparison_kernel(const KernelArgs& args) {
  dispatch_all(args.in(0).dtype, args, [&]<class T>() { binary<T, uint8_t>(args, F{}); });
}

struct AndF {
  __device__ uint8_t operator()(uint8_t a, uint8_t b) const { return (a && b) ? 1 : 0; }
};

void logical_and_kernel(const KernelArgs& args) {
  binary<uint8_t, uint8_t>(args, AndF{});
}

void logical_not_kernel(const KernelArgs& args) {
  const uint8_t* x = args.in(0).as<uint8_t>();
  uint8_t* y = args.output.as<uint8_t>();
  for_each(args, args.output.numel(), [=] __device__(int64_t i) { y[i] = x[i] ? 0 : 1; });
}

}  // namespace nabla::cuda::elementwise_ops

namespace nabla::cuda {

void register_elementwise_kernels(Backend& b) {
  using namespace elementwise_ops;
#define NABLA_UNARY_KERNEL(Name, ...) b.register_kernel(op::Name, unary_kernel<elementwise::Name>);
  NABLA_UNARY_MATH(NABLA_UNARY_KERNEL)
#undef NABLA_UNARY_KERNEL
#define NABLA_BINARY_KERNEL(Name, ...) \
  b.register_kernel(op::Name, arithmetic_kernel<elementwise::Name>);
  NABLA_BINARY_MATH(NABLA_BINARY_KERNEL)
#undef NABLA_BINARY_KERNEL
#define NABLA_COMPARISON_KERNEL(Name, ...) \
  b.register_kernel(op::Name, comparison_kernel<elementwise::Name>);
  NABLA_COMPARISON_MATH(NABLA_COMPARISON_KERNEL)
#undef NABLA_COMPARISON_KERNEL
  b.register_kernel(op::LogicalAnd, logical_and_kernel);
  b.register_kernel(op::LogicalNot, logical_not_kernel);
}

}  // namespace nabla::cuda
