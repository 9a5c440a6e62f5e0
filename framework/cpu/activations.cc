// CPU kernels of the element-wise activations (activation_math.h) and of their shared gradient
// op: one generic forward and one generic backward, instantiated for every activation.
#include "framework/backend/backend.h"
#include "framework/cpu/kernel_util.h"
#include "framework/ops/activation_math.h"

namespace nabla::cpu {
namespace {

template <class A>
void activation_kernel(const KernelArgs& args) {
  dispatch_float(args.in(0).dtype, args, [&]<class T>() {
    const T alpha = static_cast<T>(args.attrs->get_float("alpha", 0.0));
    unary_loop<T>(args, A::kCost, [alpha](T x) { return A::template forward<T>(x, alpha); });
  });
}

template <class A, class T>
void activation_backward(const KernelArgs& args, T alpha) {
  const T* dy = args.in(0).as<T>();
  const T* t = args.in(1).as<T>();
  T* dx = args.output.as<T>();
  parallel_range(args, args.output.numel(), A::kCost, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) dx[i] = dy[i] * A::template derivative<T>(t[i], alpha);
  });
}

void activation_grad_kernel(const KernelArgs& args) {
  if (args.in(0).shape != args.in(1).shape)
    throw ShapeError(args.where() + ": gradient " + args.in(0).shape.to_string() +
                     " and activation " + args.in(1).shape.to_string() + " differ");
  const std::string& kind = args.attrs->get_string("kind");
  dispatch_float(args.in(0).dtype, args, [&]<class T>() {
    const T alpha = static_cast<T>(args.attrs->get_float("alpha", 0.0));
    const bool known = activation::with_activation_named(
        kind.c_str(), [&]<class A>() { activation_backward<A, T>(args, alpha); });
    if (!known) throw ValueError(args.where() + ": unknown activation kind '" + kind + "'");
  });
}

}  // namespace

void register_activation_kernels(Backend& b) {
#define NABLA_ACTIVATION_KERNEL(A) b.register_kernel(op::A, activation_kernel<activation::A>);
  NABLA_ACTIVATIONS(NABLA_ACTIVATION_KERNEL)
#undef NABLA_ACTIVATION_KERNEL
  b.register_kernel(op::ActivationGrad, activation_grad_kernel);
}

}  // namespace nabla::cpu
