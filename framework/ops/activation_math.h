// The element-wise activations and their derivatives, defined once for every backend.
//
// Each activation is a struct with forward(x, alpha) and derivative(t, alpha), where t is the
// activation's output when kUsesOutput (so the input need not be kept) and its input otherwise;
// `alpha` is leaky_relu's slope, elu's alpha or hard_sigmoid's slope. NABLA_ACTIVATIONS lists
// them: the op table, the op definitions and every backend iterate that list, so a new
// activation is its struct, its line in the list, its public function and a test case.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

#include "framework/core/host_device.h"

namespace nabla::activation {

#define NABLA_ACTIVATIONS(X) \
  X(Relu)                    \
  X(Relu6)                   \
  X(LeakyRelu)               \
  X(Elu)                     \
  X(Selu)                    \
  X(Sigmoid)                 \
  X(HardSigmoid)             \
  X(Tanh)                    \
  X(Softplus)                \
  X(Softsign)                \
  X(Gelu)                    \
  X(GeluTanh)                \
  X(Silu)

constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
constexpr double kSeluScale = 1.0507009873554804934193349852946;

template <class T>
NABLA_HD T stable_sigmoid(T x) {
  // Split by sign so exp never overflows.
  if (x >= T(0)) return T(1) / (T(1) + std::exp(-x));
  const T e = std::exp(x);
  return e / (T(1) + e);
}

// kCost: rough cycles per element (a compare, or a transcendental function).
struct Relu {
  static constexpr bool kUsesOutput = true;
  static constexpr int kCost = 1;
  template <class T>
  NABLA_HD static T forward(T x, T) {
    return x > T(0) ? x : T(0);
  }
  template <class T>
  NABLA_HD static T derivative(T t, T) {
    return t > T(0) ? T(1) : T(0);
  }
};

struct Relu6 {
  static constexpr bool kUsesOutput = true;
  static constexpr int kCost = 1;
  template <class T>
  NABLA_HD static T forward(T x, T) {
    return x > T(0) ? (x < T(6) ? x : T(6)) : T(0);
  }
  template <class T>
  NABLA_HD static T derivative(T t, T) {
    return (t > T(0) && t < T(6)) ? T(1) : T(0);
  }
};

struct LeakyRelu {
  static constexpr bool kUsesOutput = false;
  static constexpr int kCost = 1;
  template <class T>
  NABLA_HD static T forward(T x, T alpha) {
    return x > T(0) ? x : alpha * x;
  }
  template <class T>
  NABLA_HD static T derivative(T t, T alpha) {
    return t > T(0) ? T(1) : alpha;
  }
};

struct Elu {
  static constexpr bool kUsesOutput = true;
  static constexpr int kCost = 16;
  template <class T>
  NABLA_HD static T forward(T x, T alpha) {
    return x > T(0) ? x : alpha * std::expm1(x);
  }
  template <class T>
  NABLA_HD static T derivative(T t, T alpha) {
    return t > T(0) ? T(1) : t + alpha;
  }
};

struct Selu {
  static constexpr bool kUsesOutput = true;
  static constexpr int kCost = 16;
  template <class T>
  NABLA_HD static T forward(T x, T) {
    return T(kSeluScale) * (x > T(0) ? x : T(kSeluAlpha) * std::expm1(x));
  }
  template <class T>
  NABLA_HD static T derivative(T t, T) {
    return t > T(0) ? T(kSeluScale) : t + T(kSeluScale * kSeluAlpha);
  }
};

struct Sigmoid {
  static constexpr bool kUsesOutput = true;
  static constexpr int kCost = 16;
  template <class T>
  NABLA_HD static T forward(T x, T) {
    return stable_sigmoid(x);
  }
  template <class T>
  NABLA_HD static T derivative(T t, T) {
    return t * (T(1) - t);
  }
};

struct HardSigmoid {
  static constexpr bool kUsesOutput = false;
  static constexpr int kCost = 1;
  template <class T>
  NABLA_HD static T forward(T x, T alpha) {
    const T y = alpha * x + T(0.5);
    return y < T(0) ? T(0) : (y > T(1) ? T(1) : y);
  }
  template <class T>
  NABLA_HD static T derivative(T t, T alpha) {
    const T y = alpha * t + T(0.5);
    return (y > T(0) && y < T(1)) ? alpha : T(0);
  }
};

struct Tanh {
  static constexpr bool kUsesOutput = true;
  static constexpr int kCost = 16;
  template <class T>
  NABLA_HD static T forward(T x, T) {
    return std::tanh(x);
  }
  template <class T>
  NABLA_HD static T derivative(T t, T) {
    return T(1) - t * t;
  }
};

struct Softplus {
  static constexpr bool kUsesOutput = false;
  static constexpr int kCost = 16;
  template <class T>
  NABLA_HD static T forward(T x, T) {
    // log(1 + e^x) = max(x, 0) + log1p(e^-|x|)
    return (x > T(0) ? x : T(0)) + std::log1p(std::exp(-std::fabs(x)));
  }
  template <class T>
  NABLA_HD static T derivative(T t, T) {
    return stable_sigmoid(t);
  }
};

struct Softsign {
  static constexpr bool kUsesOutput = false;
  static constexpr int kCost = 16;
  template <class T>
  NABLA_HD static T forward(T x, T) {
    return x / (T(1) + std::fabs(x));
  }
  template <class T>
  NABLA_HD static T derivative(T t, T) {
    const T d = T(1) + std::fabs(t);
    return T(1) / (d * d);
  }
};

struct Gelu {
  static constexpr bool kUsesOutput = false;
  static constexpr int kCost = 16;
  template <class T>
  NABLA_HD static T forward(T x, T) {
    return T(0.5) * x * (T(1) + std::erf(x * T(0.70710678118654752440)));
  }
  template <class T>
  NABLA_HD static T derivative(T t, T) {
    const T cdf = T(0.5) * (T(1) + std::erf(t * T(0.70710678118654752440)));
    const T pdf = std::exp(T(-0.5) * t * t) * T(0.39894228040143267794);
    return cdf + t * pdf;
  }
};

struct GeluTanh {
  static constexpr bool kUsesOutput = false;
  static constexpr int kCost = 16;
  template <class T>
  NABLA_HD static T forward(T x, T) {
    const T k = T(0.79788456080286535588);  // sqrt(2 / pi)
    return T(0.5) * x * (T(1) + std::tanh(k * (x + T(0.044715) * x * x * x)));
  }
  template <class T>
  NABLA_HD static T derivative(T t, T) {
    const T k = T(0.79788456080286535588);
    const T inner = k * (t + T(0.044715) * t * t * t);
    const T th = std::tanh(inner);
    return T(0.5) * (T(1) + th) +
           T(0.5) * t * (T(1) - th * th) * k * (T(1) + T(3 * 0.044715) * t * t);
  }
};

struct Silu {
  static constexpr bool kUsesOutput = false;
  static constexpr int kCost = 16;
  template <class T>
  NABLA_HD static T forward(T x, T) {
    return x * stable_sigmoid(x);
  }
  template <class T>
  NABLA_HD static T derivative(T t, T) {
    const T s = stable_sigmoid(t);
    return s * (T(1) + t * (T(1) - s));
  }
};

/// Calls f.template operator()<A>() with A the activation whose op is named `name`; returns
/// false when `name` is no activation (ActivationGrad's "kind" attribute is an op name).
template <class F>
bool with_activation_named(const char* name, F&& f) {
#define NABLA_ACTIVATION_CASE(A)    \
  if (std::strcmp(name, #A) == 0) { \
    f.template operator()<A>();     \
    return true;                    \
  }
  NABLA_ACTIVATIONS(NABLA_ACTIVATION_CASE)
#undef NABLA_ACTIVATION_CASE
  return false;
}

}  // namespace nabla::activation
