// CPU kernels of the element-wise activations (activation_math.h) and of their shared gradient
// op: one generic forward and one generic backward, instantiated for every activation.
#include "framework/backend/backend.h"
#include "framework/cpu/kernel_util.h"
#include "framework/ops/activation_math.h"

namespace nabla::cpu {
namespace {

// An activation's alpha (leaky relu's slope, elu's scale; 0 for the others).
void decode_alpha(KernelArgs& args) {
  args.params.set(args.attrs->get_float("alpha", 0.0));
}

template <class A>
void activation_kernel(const KernelArgs& args) {
  dispatch_float(args.in(0).dtype, args, [&]<class T>() {
    const T alpha = static_cast<T>(args.params.get<double>());
    unary_loop<T>(args, A::kCost, [alpha](T x) { return A::template forward<T>(x, alpha); });
  });
}

template <class A, class T>
void activation_backward(const KernelArgs& args, T alpha) {
  // Pointers by value into __restrict locals: captured by reference they are reloaded in every
  // iteration and the loop stays scalar.
  parallel_range(args, args.output.numel(), A::kCost,
                 [dy_ = args.in(0).as<T>(), t_ = args.in(1).as<T>(), dx_ = args.output.as<T>(),
                  alpha](int64_t lo, int64_t hi) {
                   const T* __restrict dy = dy_;
                   const T* __restrict t = t_;
                   T* __restrict dx = dx_;
                   for (int64_t i = lo; i < hi; ++i)
                     dx[i] = dy[i] * A::template derivative<T>(t[i], alpha);
                 });
}

// ActivationGrad's "kind" resolved to the backward loop of that activation, and its alpha.
struct ActivationGradParams {
  void (*backward)(const KernelArgs& args, double alpha);
  double alpha;
};

template <class A>
void backward_of(const KernelArgs& args, double alpha) {
  dispatch_float(args.in(0).dtype, args,
                 [&]<class T>() { activation_backward<A, T>(args, static_cast<T>(alpha)); });
}

void decode_activation_grad(KernelArgs& args) {
  const std::string& kind = args.attrs->get_string("kind");
  ActivationGradParams p{nullptr, args.attrs->get_float("alpha", 0.0)};
  activation::with_activation_named(kind.c_str(), [&]<class A>() { p.backward = backward_of<A>; });
  if (!p.backward) throw ValueError(args.where() + ": unknown activation kind '" + kind + "'");
  args.params.set(p);
}

void activation_grad_kernel(const KernelArgs& args) {
  if (args.in(0).shape != args.in(1).shape)
    throw ShapeError(args.where() + ": gradient " + args.in(0).shape.to_string() +
                     " and activation " + args.in(1).shape.to_string() + " differ");
  const ActivationGradParams& p = args.params.get<ActivationGradParams>();
  p.backward(args, p.alpha);
}

}  // namespace

void register_activation_kernels(Backend& b) {
#define NABLA_ACTIVATION_KERNEL(A) \
  b.register_kernel(op::A, activation_kernel<activation::A>, decode_alpha);
  NABLA_ACTIVATIONS(NABLA_ACTIVATION_KERNEL)
#undef NABLA_ACTIVATION_KERNEL
  b.register_kernel(op::ActivationGrad, activation_grad_kernel, decode_activation_grad);
}

}  // namespace nabla::cpu
