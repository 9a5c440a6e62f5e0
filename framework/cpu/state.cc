// CPU kernels that update variables in place: assignments and the fused optimizer updates.
#include <cmath>
#include <type_traits>

#include "framework/backend/backend.h"
#include "framework/cpu/kernel_util.h"
#include "framework/ops/optimizer_math.h"

namespace nabla::cpu {
namespace {

enum class AssignMode { Set, Add, Sub };

template <AssignMode M>
void assign_kernel(const KernelArgs& args) {
  dispatch_numeric(args.in(0).dtype, args, [&]<class T>() {
    T* var = args.in(0).as<T>();
    const T* value = args.in(1).as<T>();
    const int64_t n = args.in(0).numel();
    const bool scalar = kernels::assign_from_scalar(args);
    for (int64_t i = 0; i < n; ++i) {
      const T v = value[scalar ? 0 : i];
      if constexpr (M == AssignMode::Set) var[i] = v;
      if constexpr (M == AssignMode::Add) var[i] += v;
      if constexpr (M == AssignMode::Sub) var[i] -= v;
    }
  });
}

using namespace optim;

// Pointer to slot s of an update op, or nullptr when the op was given fewer slots.
template <class T>
T* slot(const KernelArgs& args, int s) {
  return args.num_inputs > kSlot0 + s ? args.in(kSlot0 + s).as<T>() : nullptr;
}

// Each update runs as a plain loop over __restrict pointers held in registers (not captured by
// reference, which makes the compiler reload them every iteration and give up vectorizing).
// Options that change the loop body are template flags, so every loop is branch-free.

template <class T>
double scalar_input(const KernelArgs& args, int i) {
  return static_cast<double>(*args.in(i).as<T>());
}

double step_number(const KernelArgs& args) {
  return static_cast<double>(*args.in(kIterations).as<int64_t>()) + 1.0;
}

// Calls f(std::bool_constant<b>) for a run-time flag b.
template <class F>
void with_flag(bool b, F&& f) {
  if (b) {
    f(std::true_type{});
  } else {
    f(std::false_type{});
  }
}

// Runs range(lo, hi) over the variable's elements on the pool, with the weight-decay flag as a
// compile-time constant.
template <class T, class F>
void for_ranges(const KernelArgs& args, double lr, F&& range) {
  const T wd_lr = static_cast<T>(args.attrs->get_float("weight_decay", 0.0) * lr);
  with_flag(wd_lr != T(0), [&](auto decay) {
    parallel_range(args, args.in(kVar).numel(), 4,
                   [&](int64_t lo, int64_t hi) { range(decay, wd_lr, lo, hi); });
  });
}

template <bool Decay, bool HasM, class T>
void sgd_range(T* __restrict w, T* __restrict m, const T* __restrict g, int64_t lo, int64_t hi,
               T lr, T momentum, bool nesterov, T wd_lr) {
  for (int64_t i = lo; i < hi; ++i) {
    if constexpr (Decay) weight_decay(w[i], wd_lr);
    sgd<T>(w[i], HasM ? m + i : nullptr, g[i], lr, momentum, nesterov);
  }
}

template <bool Decay, bool AmsGrad, class T>
void adam_range(T* __restrict w, T* __restrict m, T* __restrict v, T* __restrict vhat,
                const T* __restrict g, int64_t lo, int64_t hi, T alpha, T c1, T c2, T eps,
                T wd_lr) {
  for (int64_t i = lo; i < hi; ++i) {
    if constexpr (Decay) weight_decay(w[i], wd_lr);
    adam<T>(w[i], m[i], v[i], AmsGrad ? vhat + i : nullptr, g[i], alpha, c1, c2, eps);
  }
}

template <bool Decay, bool HasMom, bool Centered, class T>
void rmsprop_range(T* __restrict w, T* __restrict vel, T* __restrict mom, T* __restrict avg,
                   const T* __restrict g, int64_t lo, int64_t hi, T lr, T rho, T momentum, T eps,
                   T wd_lr) {
  for (int64_t i = lo; i < hi; ++i) {
    if constexpr (Decay) weight_decay(w[i], wd_lr);
    rmsprop<T>(w[i], vel[i], HasMom ? mom + i : nullptr, Centered ? avg + i : nullptr, g[i], lr,
               rho, momentum, eps);
  }
}

template <bool Decay, class T>
void adagrad_range(T* __restrict w, T* __restrict acc, const T* __restrict g, int64_t lo,
                   int64_t hi, T lr, T eps, T wd_lr) {
  for (int64_t i = lo; i < hi; ++i) {
    if constexpr (Decay) weight_decay(w[i], wd_lr);
    adagrad<T>(w[i], acc[i], g[i], lr, eps);
  }
}

template <bool Decay, class T>
void nadam_range(T* __restrict w, T* __restrict m, T* __restrict v, const T* __restrict g,
                 int64_t lo, int64_t hi, T lr, T c1, T c2, T eps, T coef_m, T coef_g, T inv_bias2,
                 T wd_lr) {
  for (int64_t i = lo; i < hi; ++i) {
    if constexpr (Decay) weight_decay(w[i], wd_lr);
    nadam<T>(w[i], m[i], v[i], g[i], lr, c1, c2, eps, coef_m, coef_g, inv_bias2);
  }
}

void apply_sgd_kernel(const KernelArgs& args) {
  dispatch_float(args.in(kVar).dtype, args, [&]<class T>() {
    const double lr = scalar_input<T>(args, kLr);
    T* w = args.in(kVar).as<T>();
    const T* g = args.in(kGrad).as<T>();
    T* m = slot<T>(args, 0);
    const T momentum = static_cast<T>(args.attrs->get_float("momentum", 0.0));
    const bool nesterov = args.attrs->get_bool("nesterov", false);
    with_flag(m != nullptr, [&](auto has_m) {
      for_ranges<T>(args, lr, [&](auto decay, T wd_lr, int64_t lo, int64_t hi) {
        sgd_range<decltype(decay)::value, decltype(has_m)::value>(
            w, m, g, lo, hi, static_cast<T>(lr), momentum, nesterov, wd_lr);
      });
    });
  });
}

void apply_adam_kernel(const KernelArgs& args) {
  dispatch_float(args.in(kVar).dtype, args, [&]<class T>() {
    const double lr = scalar_input<T>(args, kLr), t = step_number(args);
    const double b1 = args.attrs->get_float("beta_1"), b2 = args.attrs->get_float("beta_2");
    const T alpha = static_cast<T>(lr * std::sqrt(1 - std::pow(b2, t)) / (1 - std::pow(b1, t)));
    const T eps = static_cast<T>(args.attrs->get_float("epsilon"));
    T* w = args.in(kVar).as<T>();
    const T* g = args.in(kGrad).as<T>();
    T *m = slot<T>(args, 0), *v = slot<T>(args, 1), *vhat = slot<T>(args, 2);
    const T c1 = static_cast<T>(1 - b1), c2 = static_cast<T>(1 - b2);
    with_flag(vhat != nullptr, [&](auto amsgrad) {
      for_ranges<T>(args, lr, [&](auto decay, T wd_lr, int64_t lo, int64_t hi) {
        adam_range<decltype(decay)::value, decltype(amsgrad)::value>(w, m, v, vhat, g, lo, hi,
                                                                     alpha, c1, c2, eps, wd_lr);
      });
    });
  });
}

void apply_rmsprop_kernel(const KernelArgs& args) {
  dispatch_float(args.in(kVar).dtype, args, [&]<class T>() {
    const double lr = scalar_input<T>(args, kLr);
    const T rho = static_cast<T>(args.attrs->get_float("rho"));
    const T momentum = static_cast<T>(args.attrs->get_float("momentum", 0.0));
    const T eps = static_cast<T>(args.attrs->get_float("epsilon"));
    const bool centered = args.attrs->get_bool("centered", false);
    T* w = args.in(kVar).as<T>();
    const T* g = args.in(kGrad).as<T>();
    T* vel = slot<T>(args, 0);
    T* mom = momentum > 0 ? slot<T>(args, 1) : nullptr;
    T* avg = centered ? slot<T>(args, 2) : nullptr;
    with_flag(mom != nullptr, [&](auto has_mom) {
      with_flag(avg != nullptr, [&](auto has_avg) {
        for_ranges<T>(args, lr, [&](auto decay, T wd_lr, int64_t lo, int64_t hi) {
          rmsprop_range<decltype(decay)::value, decltype(has_mom)::value, decltype(has_avg)::value>(
              w, vel, mom, avg, g, lo, hi, static_cast<T>(lr), rho, momentum, eps, wd_lr);
        });
      });
    });
  });
}

void apply_adagrad_kernel(const KernelArgs& args) {
  dispatch_float(args.in(kVar).dtype, args, [&]<class T>() {
    const double lr = scalar_input<T>(args, kLr);
    const T eps = static_cast<T>(args.attrs->get_float("epsilon"));
    T* w = args.in(kVar).as<T>();
    const T* g = args.in(kGrad).as<T>();
    T* acc = slot<T>(args, 0);
    for_ranges<T>(args, lr, [&](auto decay, T wd_lr, int64_t lo, int64_t hi) {
      adagrad_range<decltype(decay)::value>(w, acc, g, lo, hi, static_cast<T>(lr), eps, wd_lr);
    });
  });
}

void apply_nadam_kernel(const KernelArgs& args) {
  dispatch_float(args.in(kVar).dtype, args, [&]<class T>() {
    const double lr = scalar_input<T>(args, kLr), t = step_number(args);
    const double b1 = args.attrs->get_float("beta_1"), b2 = args.attrs->get_float("beta_2");
    const double u_t = b1 * (1 - 0.5 * std::pow(0.96, t));
    const double u_t1 = b1 * (1 - 0.5 * std::pow(0.96, t + 1));
    const double u_prod_t = static_cast<double>(*slot<T>(args, 2)) * u_t;
    const double u_prod_t1 = u_prod_t * u_t1;
    const T coef_m = static_cast<T>(u_t1 / (1 - u_prod_t1));
    const T coef_g = static_cast<T>((1 - u_t) / (1 - u_prod_t));
    const T inv_bias2 = static_cast<T>(1 / (1 - std::pow(b2, t)));
    const T eps = static_cast<T>(args.attrs->get_float("epsilon"));
    T* w = args.in(kVar).as<T>();
    const T* g = args.in(kGrad).as<T>();
    T *m = slot<T>(args, 0), *v = slot<T>(args, 1);
    const T c1 = static_cast<T>(1 - b1), c2 = static_cast<T>(1 - b2);
    for_ranges<T>(args, lr, [&](auto decay, T wd_lr, int64_t lo, int64_t hi) {
      nadam_range<decltype(decay)::value>(w, m, v, g, lo, hi, static_cast<T>(lr), c1, c2, eps,
                                          coef_m, coef_g, inv_bias2, wd_lr);
    });
  });
}

}  // namespace

void register_state_kernels(Backend& b) {
  b.register_kernel("NoOp", [](const KernelArgs&) {});
  b.register_kernel("Assign", assign_kernel<AssignMode::Set>);
  b.register_kernel("AssignAdd", assign_kernel<AssignMode::Add>);
  b.register_kernel("AssignSub", assign_kernel<AssignMode::Sub>);
  b.register_kernel("ApplySGD", apply_sgd_kernel);
  b.register_kernel("ApplyAdam", apply_adam_kernel);
  b.register_kernel("ApplyRMSprop", apply_rmsprop_kernel);
  b.register_kernel("ApplyAdagrad", apply_adagrad_kernel);
  b.register_kernel("ApplyNadam", apply_nadam_kernel);
}

}  // namespace nabla::cpu
