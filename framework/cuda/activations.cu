// CUDA kernels of the activations of framework/ops/activation_math.h, the same functions the CPU
// kernels compute (rather than cuDNN's, which has 5 of the 13): one generic forward and one
// generic backward, instantiated for every activation of the list.
#include "framework/backend/backend.h"
#include "framework/cuda/kernels.h"
#include "framework/cuda/launch.cuh"
#include "framework/ops/activation_math.h"

namespace nabla::cuda::activation_ops {

template <class A, class T>
void forward(const KernelArgs& args) {
  const T alpha = static_cast<T>(args.attrs->get_float("alpha", 0.0));
  const T* x = args.in(0).as<T>();
  T* y = args.output.as<T>();
  for_each(args, args.output.numel(),
           [=] __device__(int64_t i) { y[i] = A::template forward<T>(x[i], alpha); });
}

template <class A>
void activation_kernel(const KernelArgs& args) {
  dispatch_float(args.in(0).dtype, args, [&]<class T>() { forward<A, T>(args); });
}

template <class A, class T>
void backward(const KernelArgs& args) {
  const T alpha = static_cast<T>(args.attrs->get_float("alpha", 0.0));
  const T* dy = args.in(0).as<T>();
  const T* t = args.in(1).as<T>();
  T* dx = args.output.as<T>();
  for_each(args, args.output.numel(),
           [=] __device__(int64_t i) { dx[i] = dy[i] * A::template derivative<T>(t[i], alpha); });
}

void activation_grad_kernel(const KernelArgs& args) {
  if (args.in(0).shape != args.in(1).shape)
    throw ShapeError(args.where() + ": gradient " + args.in(0).shape.to_string() +
                     " and activation " + args.in(1).shape.to_string() + " differ");
  const std::string& kind = args.attrs->get_string("kind");
  dispatch_float(args.in(0).dtype, args, [&]<class T>() {
    const bool known =
        activation::with_activation_named(kind.c_str(), [&]<class A>() { backward<A, T>(args); });
    if (!known) throw ValueError(args.where() + ": unknown activation kind '" + kind + "'");
  });
}

}  // namespace nabla::cuda::activation_ops

namespace nabla::cuda {

void register_activation_kernels(Backend& b) {
  using namespace activation_ops;
#define NABLA_ACTIVATION_KERNEL(A) b.register_kernel(op::A, activation_kernel<activation::A>);
  NABLA_ACTIVATIONS(NABLA_ACTIVATION_KERNEL)
#undef NABLA_ACTIVATION_KERNEL
  b.register_kernel(op::ActivationGrad, activation_grad_kernel);
}

}  // namespace nabla::cuda
