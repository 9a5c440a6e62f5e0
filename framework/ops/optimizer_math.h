// The update rules of the optimizers, defined once for every backend. The formulas are Keras 3's
// (keras/src/optimizers/*.py); each optimizer's header writes its formula out.
//
// A rule has Params (its attributes, read once on the host), prepare() (the step's scalars from
// the learning rate and the step number: on the host for the CPU, inside the kernel on a GPU, so
// that a replayed CUDA Graph reads the current values) and apply() (one element). The op table,
// the op definitions (ops/training_ops.cc) and each backend's one generic update kernel iterate
// NABLA_OPTIMIZER_RULES, so a new optimizer is its rule here plus its Keras-facing class in
// optimizers/.
#pragma once

#include <cmath>
#include <cstdint>

#include "framework/core/attrs.h"
#include "framework/core/host_device.h"

namespace nabla::optim {

// X(op name, rule)
#define NABLA_OPTIMIZER_RULES(X) \
  X(ApplySGD, Sgd)               \
  X(ApplyAdam, Adam)             \
  X(ApplyRMSprop, Rmsprop)       \
  X(ApplyAdagrad, Adagrad)       \
  X(ApplyNadam, Nadam)

/// Input layout of every fused update op: the variable, its gradient, the learning rate (scalar),
/// the optimizer's iteration count (int64 scalar, before this step), then the slots.
enum Input : int {
  kVar = 0,
  kGrad = 1,
  kLr = 2,
  kIterations = 3,
  kSlot0 = 4,
  kSlot1 = 5,
  kSlot2 = 6
};
constexpr int kMaxSlots = 3;

/// What prepare() is given each step.
struct StepInputs {
  double lr;      // the learning rate
  double t;       // the step number: iterations + 1
  double scalar;  // the rule's scalar slot (Nadam's momentum product), else 0
};

/// Decoupled weight decay, applied before the update as Keras does: w -= w wd lr.
template <class T>
NABLA_HD void weight_decay(T& w, T wd_lr) {
  w -= w * wd_lr;
}

/// SGD: slot 0 = momentum buffer (when given).
///   m = momentum m - lr g;  w += nesterov ? momentum m - lr g : m      (plain: w -= lr g)
struct Sgd {
  static constexpr int kSlots = 1;
  static constexpr int kScalarSlot = -1;  // no slot read as a scalar
  struct Params {
    double momentum;
    bool nesterov;
    explicit Params(const Attrs& a)
        : momentum(a.get_float("momentum", 0.0)), nesterov(a.get_bool("nesterov", false)) {}
    bool uses_slot(int s) const { return s == 0; }
  };
  template <class T>
  struct Scalars {
    T lr, momentum;
    bool nesterov;
  };
  template <class T>
  NABLA_HD static Scalars<T> prepare(const Params& p, const StepInputs& in) {
    return {static_cast<T>(in.lr), static_cast<T>(p.momentum), p.nesterov};
  }
  template <class T>
  NABLA_HD static void apply(T& w, T g, T* m, T*, T*, const Scalars<T>& s) {
    if (!m) {
      w -= g * s.lr;
      return;
    }
    *m = *m * s.momentum - g * s.lr;
    w += s.nesterov ? *m * s.momentum - g * s.lr : *m;
  }
};

/// Adam: slot 0 = m, slot 1 = v, slot 2 = v_hat (amsgrad, when given).
///   alpha = lr sqrt(1 - b2^t) / (1 - b1^t);  m += (g - m)(1 - b1);  v += (g^2 - v)(1 - b2)
///   v_hat = max(v_hat, v) (amsgrad);  w -= m alpha / (sqrt(v or v_hat) + eps)
struct Adam {
  static constexpr int kSlots = 3;
  static constexpr int kScalarSlot = -1;
  struct Params {
    double b1, b2, eps;
    explicit Params(const Attrs& a)
        : b1(a.get_float("beta_1")), b2(a.get_float("beta_2")), eps(a.get_float("epsilon")) {}
    bool uses_slot(int) const { return true; }
  };
  template <class T>
  struct Scalars {
    T alpha, c1, c2, eps;
  };
  template <class T>
  NABLA_HD static Scalars<T> prepare(const Params& p, const StepInputs& in) {
    return {
        static_cast<T>(in.lr * std::sqrt(1 - std::pow(p.b2, in.t)) / (1 - std::pow(p.b1, in.t))),
        static_cast<T>(1 - p.b1), static_cast<T>(1 - p.b2), static_cast<T>(p.eps)};
  }
  template <class T>
  NABLA_HD static void apply(T& w, T g, T* m, T* v, T* vhat, const Scalars<T>& s) {
    *m += (g - *m) * s.c1;
    *v += (g * g - *v) * s.c2;
    T denom_v = *v;
    if (vhat) {
      *vhat = *vhat > *v ? *vhat : *v;
      denom_v = *vhat;
    }
    w -= (*m * s.alpha) / (std::sqrt(denom_v) + s.eps);
  }
};

/// RMSprop: slot 0 = velocity, slot 1 = momentum buffer (momentum > 0), slot 2 = mean gradient
/// (centered).  vel = rho vel + (1 - rho) g^2;  avg = rho avg + (1 - rho) g;
///   inc = lr g / sqrt(vel - avg^2 + eps  or  vel + eps);  mom = momentum mom + inc; w -= mom
struct Rmsprop {
  static constexpr int kSlots = 3;
  static constexpr int kScalarSlot = -1;
  struct Params {
    double rho, momentum, eps;
    bool centered;
    explicit Params(const Attrs& a)
        : rho(a.get_float("rho")),
          momentum(a.get_float("momentum", 0.0)),
          eps(a.get_float("epsilon")),
          centered(a.get_bool("centered", false)) {}
    bool uses_slot(int s) const {
      return s == 0 || (s == 1 && momentum > 0) || (s == 2 && centered);
    }
  };
  template <class T>
  struct Scalars {
    T lr, rho, momentum, eps;
  };
  template <class T>
  NABLA_HD static Scalars<T> prepare(const Params& p, const StepInputs& in) {
    return {static_cast<T>(in.lr), static_cast<T>(p.rho), static_cast<T>(p.momentum),
            static_cast<T>(p.eps)};
  }
  template <class T>
  NABLA_HD static void apply(T& w, T g, T* vel, T* mom, T* avg, const Scalars<T>& s) {
    *vel = s.rho * *vel + (T(1) - s.rho) * g * g;
    T denom = *vel + s.eps;
    if (avg) {
      *avg = s.rho * *avg + (T(1) - s.rho) * g;
      denom = *vel - *avg * *avg + s.eps;
    }
    const T inc = s.lr * g / std::sqrt(denom);
    if (mom) {
      *mom = s.momentum * *mom + inc;
      w -= *mom;
    } else {
      w -= inc;
    }
  }
};

/// Adagrad: slot 0 = accumulator.  acc += g^2;  w -= lr g / sqrt(acc + eps)
struct Adagrad {
  static constexpr int kSlots = 1;
  static constexpr int kScalarSlot = -1;
  struct Params {
    double eps;
    explicit Params(const Attrs& a) : eps(a.get_float("epsilon")) {}
    bool uses_slot(int) const { return true; }
  };
  template <class T>
  struct Scalars {
    T lr, eps;
  };
  template <class T>
  NABLA_HD static Scalars<T> prepare(const Params& p, const StepInputs& in) {
    return {static_cast<T>(in.lr), static_cast<T>(p.eps)};
  }
  template <class T>
  NABLA_HD static void apply(T& w, T g, T* acc, T*, T*, const Scalars<T>& s) {
    *acc += g * g;
    w -= s.lr * g / std::sqrt(*acc + s.eps);
  }
};

/// Nadam: slot 0 = m, slot 1 = v, slot 2 = the momentum product u_prod (a scalar, read here and
/// advanced by a separate op after the step).
///   u_t = b1 (1 - 0.5 * 0.96^t);  m += (g - m)(1 - b1);  v += (g^2 - v)(1 - b2)
///   m_hat = u_t1 m / (1 - u_prod_t1) + (1 - u_t) g / (1 - u_prod_t);  v_hat = v / (1 - b2^t)
///   w -= lr m_hat / (sqrt(v_hat) + eps)
struct Nadam {
  static constexpr int kSlots = 3;
  static constexpr int kScalarSlot = 2;
  struct Params {
    double b1, b2, eps;
    explicit Params(const Attrs& a)
        : b1(a.get_float("beta_1")), b2(a.get_float("beta_2")), eps(a.get_float("epsilon")) {}
    bool uses_slot(int s) const { return s < 2; }
  };
  template <class T>
  struct Scalars {
    T lr, c1, c2, eps, coef_m, coef_g, inv_bias2;
  };
  template <class T>
  NABLA_HD static Scalars<T> prepare(const Params& p, const StepInputs& in) {
    const double u_t = p.b1 * (1 - 0.5 * std::pow(0.96, in.t));
    const double u_t1 = p.b1 * (1 - 0.5 * std::pow(0.96, in.t + 1));
    const double u_prod_t = in.scalar * u_t;
    const double u_prod_t1 = u_prod_t * u_t1;
    return {static_cast<T>(in.lr),
            static_cast<T>(1 - p.b1),
            static_cast<T>(1 - p.b2),
            static_cast<T>(p.eps),
            static_cast<T>(u_t1 / (1 - u_prod_t1)),
            static_cast<T>((1 - u_t) / (1 - u_prod_t)),
            static_cast<T>(1 / (1 - std::pow(p.b2, in.t)))};
  }
  template <class T>
  NABLA_HD static void apply(T& w, T g, T* m, T* v, T*, const Scalars<T>& s) {
    *m += (g - *m) * s.c1;
    *v += (g * g - *v) * s.c2;
    const T m_hat = s.coef_m * *m + s.coef_g * g;
    w -= s.lr * m_hat / (std::sqrt(*v * s.inv_bias2) + s.eps);
  }
};

}  // namespace nabla::optim
