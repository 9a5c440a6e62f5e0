// The math of element-wise activations and their derivatives, shared by the CPU and CUDA
// kernels so both backends compute the same function.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>

#include "framework/core/philox.h"  // NABLA_HD

namespace nabla {

enum class Activation : int32_t {
  Relu,
  Relu6,
  LeakyRelu,
  Elu,
  Selu,
  Sigmoid,
  HardSigmoid,
  Tanh,
  Softplus,
  Softsign,
  Gelu,
  GeluTanh,
  Silu
};
/// The last activation of the enum (code iterating over all of them stops here).
constexpr Activation kLastActivation = Activation::Silu;

/// The op type of each activation ("Relu", ...) and back.
const char* activation_op_name(Activation a);
/// Parses an op type; returns false when `op` is not an element-wise activation.
bool activation_from_op_name(const std::string& op, Activation* out);

/// True when the derivative is computed from the output y rather than the input x (so the
/// input need not be kept, and a fused bias + activation need not store it).
NABLA_HD bool derivative_uses_output(Activation a) {
  return a == Activation::Relu || a == Activation::Relu6 || a == Activation::Sigmoid ||
         a == Activation::Tanh || a == Activation::Elu || a == Activation::Selu;
}

namespace act {
constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
constexpr double kSeluScale = 1.0507009873554804934193349852946;

template <class T>
NABLA_HD T sigmoid(T x) {
  // Split by sign so exp never overflows.
  if (x >= T(0)) return T(1) / (T(1) + std::exp(-x));
  const T e = std::exp(x);
  return e / (T(1) + e);
}

template <class T>
NABLA_HD T softplus(T x) {
  // log(1 + e^x) = max(x, 0) + log1p(e^-|x|)
  return (x > T(0) ? x : T(0)) + std::log1p(std::exp(-std::fabs(x)));
}

/// y = f(x). `alpha` is the slope of leaky_relu, alpha of elu, slope of hard_sigmoid.
template <class T>
NABLA_HD T forward(Activation a, T x, T alpha) {
  switch (a) {
    case Activation::Relu:
      return x > T(0) ? x : T(0);
    case Activation::Relu6:
      return x > T(0) ? (x < T(6) ? x : T(6)) : T(0);
    case Activation::LeakyRelu:
      return x > T(0) ? x : alpha * x;
    case Activation::Elu:
      return x > T(0) ? x : alpha * std::expm1(x);
    case Activation::Selu:
      return T(kSeluScale) * (x > T(0) ? x : T(kSeluAlpha) * std::expm1(x));
    case Activation::Sigmoid:
      return sigmoid(x);
    case Activation::HardSigmoid: {
      const T y = alpha * x + T(0.5);
      return y < T(0) ? T(0) : (y > T(1) ? T(1) : y);
    }
    case Activation::Tanh:
      return std::tanh(x);
    case Activation::Softplus:
      return softplus(x);
    case Activation::Softsign:
      return x / (T(1) + std::fabs(x));
    case Activation::Gelu:
      return T(0.5) * x * (T(1) + std::erf(x * T(0.70710678118654752440)));
    case Activation::GeluTanh: {
      const T k = T(0.79788456080286535588);  // sqrt(2 / pi)
      return T(0.5) * x * (T(1) + std::tanh(k * (x + T(0.044715) * x * x * x)));
    }
    case Activation::Silu:
      return x * sigmoid(x);
  }
  return x;
}

/// dy/dx given t, which is y when derivative_uses_output(a), else x.
template <class T>
NABLA_HD T derivative(Activation a, T t, T alpha) {
  switch (a) {
    case Activation::Relu:
      return t > T(0) ? T(1) : T(0);
    case Activation::Relu6:
      return (t > T(0) && t < T(6)) ? T(1) : T(0);
    case Activation::LeakyRelu:
      return t > T(0) ? T(1) : alpha;
    case Activation::Elu:
      return t > T(0) ? T(1) : t + alpha;
    case Activation::Selu:
      return t > T(0) ? T(kSeluScale) : t + T(kSeluScale * kSeluAlpha);
    case Activation::Sigmoid:
      return t * (T(1) - t);
    case Activation::HardSigmoid: {
      const T y = alpha * t + T(0.5);
      return (y > T(0) && y < T(1)) ? alpha : T(0);
    }
    case Activation::Tanh:
      return T(1) - t * t;
    case Activation::Softplus:
      return sigmoid(t);
    case Activation::Softsign: {
      const T d = T(1) + std::fabs(t);
      return T(1) / (d * d);
    }
    case Activation::Gelu: {
      const T cdf = T(0.5) * (T(1) + std::erf(t * T(0.70710678118654752440)));
      const T pdf = std::exp(T(-0.5) * t * t) * T(0.39894228040143267794);
      return cdf + t * pdf;
    }
    case Activation::GeluTanh: {
      const T k = T(0.79788456080286535588);
      const T inner = k * (t + T(0.044715) * t * t * t);
      const T th = std::tanh(inner);
      return T(0.5) * (T(1) + th) +
             T(0.5) * t * (T(1) - th * th) * k * (T(1) + T(3 * 0.044715) * t * t);
    }
    case Activation::Silu: {
      const T s = sigmoid(t);
      return s * (T(1) + t * (T(1) - s));
    }
  }
  return T(1);
}
}  // namespace act

}  // namespace nabla
