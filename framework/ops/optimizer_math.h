// Per-element update rules of the optimizers, shared by the CPU and CUDA kernels. The formulas
// are Keras 3's (keras/src/optimizers/*.py); each optimizer's header writes its formula out.
#pragma once

#include <cmath>
#include <cstdint>

#include "framework/core/philox.h"  // NABLA_HD

namespace nabla::optim {

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

/// Scalars computed once per step from the attributes, the learning rate and the iteration.
struct StepScalars {
  double lr = 0, wd = 0;                     // learning rate, decoupled weight decay factor
  double a = 0, b = 0, c = 0, d = 0, e = 0;  // optimizer specific (see step_scalars)
};

/// SGD: slot0 = momentum buffer (if momentum != 0).
///   m = momentum m - lr g;  w += nesterov ? momentum m - lr g : m      (plain: w -= lr g)
template <class T>
NABLA_HD void sgd(T& w, T* m, T g, T lr, T momentum, bool nesterov) {
  if (!m) {
    w -= g * lr;
    return;
  }
  *m = *m * momentum - g * lr;
  w += nesterov ? *m * momentum - g * lr : *m;
}

/// Adam: slot0 = m, slot1 = v, slot2 = v_hat (amsgrad).
///   alpha = lr sqrt(1 - b2^t) / (1 - b1^t);  m += (g - m)(1 - b1);  v += (g^2 - v)(1 - b2)
///   v_hat = max(v_hat, v) (amsgrad);  w -= m alpha / (sqrt(v or v_hat) + eps)
template <class T>
NABLA_HD void adam(T& w, T& m, T& v, T* vhat, T g, T alpha, T one_minus_b1, T one_minus_b2, T eps) {
  m += (g - m) * one_minus_b1;
  v += (g * g - v) * one_minus_b2;
  T denom_v = v;
  if (vhat) {
    *vhat = *vhat > v ? *vhat : v;
    denom_v = *vhat;
  }
  w -= (m * alpha) / (std::sqrt(denom_v) + eps);
}

/// RMSprop: slot0 = velocity, slot1 = momentum buffer (momentum > 0), slot2 = mean gradient
/// (centered).  vel = rho vel + (1 - rho) g^2;  avg = rho avg + (1 - rho) g;
///   inc = lr g / sqrt(vel - avg^2 + eps  or  vel + eps);  mom = momentum mom + inc; w -= mom
template <class T>
NABLA_HD void rmsprop(T& w, T& vel, T* mom, T* avg, T g, T lr, T rho, T momentum, T eps) {
  vel = rho * vel + (T(1) - rho) * g * g;
  T denom = vel + eps;
  if (avg) {
    *avg = rho * *avg + (T(1) - rho) * g;
    denom = vel - *avg * *avg + eps;
  }
  const T inc = lr * g / std::sqrt(denom);
  if (mom) {
    *mom = momentum * *mom + inc;
    w -= *mom;
  } else {
    w -= inc;
  }
}

/// Adagrad: slot0 = accumulator.  acc += g^2;  w -= lr g / sqrt(acc + eps)
template <class T>
NABLA_HD void adagrad(T& w, T& acc, T g, T lr, T eps) {
  acc += g * g;
  w -= lr * g / std::sqrt(acc + eps);
}

/// Nadam: slot0 = m, slot1 = v; u_t, u_t1 and the products come from step_scalars.
///   m += (g - m)(1 - b1);  v += (g^2 - v)(1 - b2)
///   m_hat = u_t1 m / (1 - u_prod_t1) + (1 - u_t) g / (1 - u_prod_t);  v_hat = v / (1 - b2^t)
///   w -= lr m_hat / (sqrt(v_hat) + eps)
template <class T>
NABLA_HD void nadam(T& w, T& m, T& v, T g, T lr, T one_minus_b1, T one_minus_b2, T eps, T coef_m,
                    T coef_g, T inv_bias2) {
  m += (g - m) * one_minus_b1;
  v += (g * g - v) * one_minus_b2;
  const T m_hat = coef_m * m + coef_g * g;
  w -= lr * m_hat / (std::sqrt(v * inv_bias2) + eps);
}

/// Decoupled weight decay, applied before the update as Keras does: w -= w wd lr.
template <class T>
NABLA_HD void weight_decay(T& w, T wd_lr) {
  w -= w * wd_lr;
}

}  // namespace nabla::optim
