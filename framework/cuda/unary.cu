// CUDA kernels of unary element-wise ops: math functions, sign and logical not, and the
// activations with their gradient. Activations use framework/ops/activation_math.h, the same
// functions as the CPU kernels, rather than cuDNN's: cuDNN has 5 of the 13 activations, and one
// definition keeps both backends computing the same function.
#include <cmath>

#include "framework/backend/backend.h"
#include "framework/cuda/launch.cuh"
#include "framework/ops/activation_math.h"

namespace nabla::cuda::unary_ops {

template <class T, class F>
void unary(const KernelArgs& args, F f) {
  const T* x = args.in(0).as<T>();
  T* y = args.output.as<T>();
  for_each(args, args.output.numel(), [=] __device__(int64_t i) { y[i] = f(x[i]); });
}

#define NABLA_UNARY(Name, expr)          \
  struct Name {                          \
    template <class T>                   \
    __device__ T operator()(T x) const { \
      return expr;                       \
    }                                    \
  };
NABLA_UNARY(ExpF, std::exp(x))
NABLA_UNARY(LogF, std::log(x))
NABLA_UNARY(Log1pF, std::log1p(x))
NABLA_UNARY(SqrtF, std::sqrt(x))
NABLA_UNARY(RsqrtF, T(1) / std::sqrt(x))
NABLA_UNARY(CosF, std::cos(x))
NABLA_UNARY(SinF, std::sin(x))
NABLA_UNARY(FloorF, std::floor(x))
NABLA_UNARY(ReciprocalF, T(1) / x)
NABLA_UNARY(SquareF, (x * x))
NABLA_UNARY(NegF, -x)
NABLA_UNARY(AbsF, x < T(0) ? -x : x)
NABLA_UNARY(SignF, static_cast<T>((x > T(0)) - (x < T(0))))
#undef NABLA_UNARY

template <class F>
void float_unary(const KernelArgs& args) {
  dispatch_float(args.in(0).dtype, args, [&]<class T>() { unary<T>(args, F{}); });
}

template <class F>
void numeric_unary(const KernelArgs& args) {
  dispatch_numeric(args.in(0).dtype, args, [&]<class T>() { unary<T>(args, F{}); });
}

void logical_not_kernel(const KernelArgs& args) {
  const uint8_t* x = args.in(0).as<uint8_t>();
  uint8_t* y = args.output.as<uint8_t>();
  for_each(args, args.output.numel(), [=] __device__(int64_t i) { y[i] = x[i] ? 0 : 1; });
}

template <class T>
void activation_forward(const KernelArgs& args, Activation a) {
  const T alpha = static_cast<T>(args.attrs->get_float("alpha", 0.0));
  const T* x = args.in(0).as<T>();
  T* y = args.output.as<T>();
  for_each(args, args.output.numel(),
           [=] __device__(int64_t i) { y[i] = act::forward<T>(a, x[i], alpha); });
}

Activation activation_named(const KernelArgs& args, const std::string& name) {
  Activation a;
  if (!activation_from_op_name(name, &a))
    throw UnimplementedError(args.where() + ": no CUDA kernel for activation '" + name + "'");
  return a;
}

// One kernel for all activations: the op type names the function.
void activation_kernel(const KernelArgs& args) {
  const Activation a = activation_named(args, args.op);
  dispatch_float(args.in(0).dtype, args, [&]<class T>() { activation_forward<T>(args, a); });
}

template <class T>
void activation_backward(const KernelArgs& args, Activation a) {
  const T alpha = static_cast<T>(args.attrs->get_float("alpha", 0.0));
  const T* dy = args.in(0).as<T>();
  const T* t = args.in(1).as<T>();
  T* dx = args.output.as<T>();
  for_each(args, args.output.numel(),
           [=] __device__(int64_t i) { dx[i] = dy[i] * act::derivative<T>(a, t[i], alpha); });
}

void activation_grad_kernel(const KernelArgs& args) {
  const Activation a = activation_named(args, args.attrs->get_string("kind"));
  if (args.in(0).shape != args.in(1).shape)
    throw ShapeError(args.where() + ": gradient " + args.in(0).shape.to_string() +
                     " and activation " + args.in(1).shape.to_string() + " differ");
  dispatch_float(args.in(0).dtype, args, [&]<class T>() { activation_backward<T>(args, a); });
}

}  // namespace nabla::cuda::unary_ops

namespace nabla::cuda {

void register_unary_kernels(Backend& b) {
  using namespace unary_ops;
  b.register_kernel("Neg", numeric_unary<NegF>);
  b.register_kernel("Abs", numeric_unary<AbsF>);
  b.register_kernel("Sign", numeric_unary<SignF>);
  b.register_kernel("Exp", float_unary<ExpF>);
  b.register_kernel("Log", float_unary<LogF>);
  b.register_kernel("Log1p", float_unary<Log1pF>);
  b.register_kernel("Sqrt", float_unary<SqrtF>);
  b.register_kernel("Rsqrt", float_unary<RsqrtF>);
  b.register_kernel("Cos", float_unary<CosF>);
  b.register_kernel("Sin", float_unary<SinF>);
  b.register_kernel("Floor", float_unary<FloorF>);
  b.register_kernel("Reciprocal", float_unary<ReciprocalF>);
  b.register_kernel("Square", float_unary<SquareF>);
  b.register_kernel("LogicalNot", logical_not_kernel);
  b.register_kernel("ActivationGrad", activation_grad_kernel);
  for (int a = 0; a <= static_cast<int>(Activation::Silu); ++a)
    b.register_kernel(activation_op_name(static_cast<Activation>(a)), activation_kernel);
}

}  // namespace nabla::cuda
