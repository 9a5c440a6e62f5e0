// CPU kernels of the element-wise activations and of their shared gradient op.
#include "framework/backend/backend.h"
#include "framework/cpu/kernel_util.h"
#include "framework/ops/activation_math.h"

namespace nabla::cpu {
namespace {

// Work per element: a compare for the piece-wise linear activations, a transcendental for the rest.
constexpr int64_t activation_cost(Activation a) {
  return a == Activation::Relu || a == Activation::Relu6 || a == Activation::LeakyRelu ||
                 a == Activation::HardSigmoid
             ? 1
             : 16;
}

template <Activation A, class T>
void activation_forward(const KernelArgs& args) {
  const T alpha = static_cast<T>(args.attrs->get_float("alpha", 0.0));
  unary_loop<T>(args, activation_cost(A), [alpha](T x) { return act::forward<T>(A, x, alpha); });
}

template <Activation A, class T>
void activation_backward(const KernelArgs& args, T alpha) {
  const T* dy = args.in(0).as<T>();
  const T* t = args.in(1).as<T>();
  T* dx = args.output.as<T>();
  parallel_range(args, args.output.numel(), activation_cost(A), [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) dx[i] = dy[i] * act::derivative<T>(A, t[i], alpha);
  });
}

template <Activation A>
void activation_kernel(const KernelArgs& args) {
  dispatch_float(args.in(0).dtype, args, [&]<class T>() { activation_forward<A, T>(args); });
}

// Calls f.template operator()<A>() for the runtime activation `a`.
template <class F>
void with_activation(Activation a, F&& f) {
  switch (a) {
// clang-format off
#define NABLA_CASE(K)                       \
  case Activation::K:                       \
    f.template operator()<Activation::K>(); \
    break;
    NABLA_CASE(Relu)
    NABLA_CASE(Relu6)
    NABLA_CASE(LeakyRelu)
    NABLA_CASE(Elu)
    NABLA_CASE(Selu)
    NABLA_CASE(Sigmoid)
    NABLA_CASE(HardSigmoid)
    NABLA_CASE(Tanh)
    NABLA_CASE(Softplus)
    NABLA_CASE(Softsign)
    NABLA_CASE(Gelu)
    NABLA_CASE(GeluTanh)
    NABLA_CASE(Silu)
#undef NABLA_CASE
    // clang-format on
  }
}

void activation_grad_kernel(const KernelArgs& args) {
  Activation a;
  activation_from_op_name(args.attrs->get_string("kind"), &a);
  if (args.in(0).shape != args.in(1).shape)
    throw ShapeError(args.where() + ": gradient " + args.in(0).shape.to_string() +
                     " and activation " + args.in(1).shape.to_string() + " differ");
  dispatch_float(args.in(0).dtype, args, [&]<class T>() {
    const T alpha = static_cast<T>(args.attrs->get_float("alpha", 0.0));
    with_activation(a, [&]<Activation A>() { activation_backward<A, T>(args, alpha); });
  });
}

}  // namespace

void register_activation_kernels(Backend& b) {
  // Every activation of the enum, under its op name: a new activation cannot be left out.
  for (int i = 0; i <= static_cast<int>(kLastActivation); ++i)
    with_activation(static_cast<Activation>(i), [&]<Activation A>() {
      b.register_kernel(activation_op_name(A), activation_kernel<A>);
    });
  b.register_kernel("ActivationGrad", activation_grad_kernel);
}

}  // namespace nabla::cpu
