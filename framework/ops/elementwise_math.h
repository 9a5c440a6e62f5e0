// The per-element math of nabla's element-wise ops, defined once for every backend.
//
// Each list entry is one op: its name (the op type and the functor's name) and its math as an
// expression of `x` (unary) or `a` and `b` (binary) of type T. The op table (op_table.h) takes
// the names from these lists, and each backend runs every entry through one generic kernel
// (framework/cpu/elementwise.cc, framework/cuda/elementwise.cu), so a new element-wise op is one
// line here, its definition (shape and gradient, ops/math_ops.cc), and a test case.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "framework/core/host_device.h"

namespace nabla::elementwise {

/// The element types an op accepts.
enum class Types { Float, Numeric };

// X(Name, function, Types, expression of x): the op type, the public function (ops.h), the
// element types it takes, and its math.
// clang-format off
#define NABLA_UNARY_MATH(X)                                       \
  X(Neg, neg, Numeric, -x)                                        \
  X(Abs, abs, Numeric, x < T(0) ? -x : x)                         \
  X(Sign, sign, Numeric, static_cast<T>((x > T(0)) - (x < T(0)))) \
  X(Square, square, Float, x * x)                                 \
  X(Sqrt, sqrt, Float, std::sqrt(x))                              \
  X(Rsqrt, rsqrt, Float, T(1) / std::sqrt(x))                     \
  X(Exp, exp, Float, std::exp(x))                                 \
  X(Log, log, Float, std::log(x))                                 \
  X(Log1p, log1p, Float, std::log1p(x))                           \
  X(Reciprocal, reciprocal, Float, T(1) / x)                      \
  X(Cos, cos, Float, std::cos(x))                                 \
  X(Sin, sin, Float, std::sin(x))                                 \
  X(Floor, floor, Float, std::floor(x))

// X(Name, function, expression of a and b). Numeric types; Maximum and Minimum propagate NaN as
// TensorFlow does; integer powers go through double.
#define NABLA_BINARY_MATH(X)                                                            \
  X(Add, add, a + b)                                                                    \
  X(Sub, sub, a - b)                                                                    \
  X(Mul, mul, a * b)                                                                    \
  X(Div, div, divide(a, b))                                                             \
  X(Pow, pow, std::is_integral_v<T>                                                     \
             ? static_cast<T>(std::pow(static_cast<double>(a), static_cast<double>(b))) \
             : static_cast<T>(std::pow(a, b)))                                          \
  X(Maximum, maximum, (a > b || a != a) ? a : b)                                        \
  X(Minimum, minimum, (a < b || a != a) ? a : b)

// X(Name, function, comparison of a and b): bool (uint8) results, every type.
#define NABLA_COMPARISON_MATH(X)         \
  X(Equal, equal, a == b)                \
  X(NotEqual, not_equal, a != b)         \
  X(Less, less, a < b)                   \
  X(LessEqual, less_equal, a <= b)       \
  X(Greater, greater, a > b)             \
  X(GreaterEqual, greater_equal, a >= b)

// clang-format on

/// a / b, with integer division by zero defined as 0. Backends report it as an error before
/// (CPU) or while (CUDA) computing, for the functors checks_divisor<> names.
template <class T>
NABLA_HD T divide(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    if (b == T(0)) return T(0);
  }
  return a / b;
}

#define NABLA_UNARY_FUNCTOR(Name, function, Kind, expr)    \
  struct Name {                                  \
    static constexpr Types kTypes = Types::Kind; \
    template <class T>                           \
    NABLA_HD T operator()(T x) const {           \
      return expr;                               \
    }                                            \
  };
NABLA_UNARY_MATH(NABLA_UNARY_FUNCTOR)
#undef NABLA_UNARY_FUNCTOR

#define NABLA_BINARY_FUNCTOR(Name, function, expr)    \
  struct Name {                             \
    template <class T>                      \
    NABLA_HD T operator()(T a, T b) const { \
      return expr;                          \
    }                                       \
  };
NABLA_BINARY_MATH(NABLA_BINARY_FUNCTOR)
#undef NABLA_BINARY_FUNCTOR

#define NABLA_COMPARISON_FUNCTOR(Name, function, expr)      \
  struct Name {                                   \
    template <class T>                            \
    NABLA_HD uint8_t operator()(T a, T b) const { \
      return (expr) ? 1 : 0;                      \
    }                                             \
  };
NABLA_COMPARISON_MATH(NABLA_COMPARISON_FUNCTOR)
#undef NABLA_COMPARISON_FUNCTOR

/// Cast's conversion of one element, defined for every input: floating-point values beyond an
/// integer type's range saturate to its minimum or maximum and NaN becomes 0 (TensorFlow's CPU
/// kernel does the same), a double beyond float's range becomes an infinity, and bool is x != 0.
template <class To, class From>
NABLA_HD To convert(From x) {
  if constexpr (std::is_same_v<To, bool>) {
    return x != From(0);
  } else if constexpr (std::is_floating_point_v<From> && std::is_integral_v<To>) {
    if (x != x) return To(0);
    constexpr double lo = static_cast<double>(std::numeric_limits<To>::lowest());
    constexpr double hi = static_cast<double>(std::numeric_limits<To>::max());
    if (static_cast<double>(x) <= lo) return std::numeric_limits<To>::lowest();
    if (static_cast<double>(x) >= hi) return std::numeric_limits<To>::max();
    return static_cast<To>(x);
  } else if constexpr (std::is_same_v<From, double> && std::is_same_v<To, float>) {
    if (x > static_cast<double>(std::numeric_limits<float>::max()))
      return std::numeric_limits<float>::infinity();
    if (x < -static_cast<double>(std::numeric_limits<float>::max()))
      return -std::numeric_limits<float>::infinity();
    return static_cast<float>(x);
  } else {
    return static_cast<To>(x);
  }
}

/// True for the functors whose integer form must report a zero divisor.
template <class F>
inline constexpr bool checks_divisor = std::is_same_v<F, Div>;

}  // namespace nabla::elementwise
