// Element-wise arithmetic, comparisons, selection, casts and the matrix product.
#include "framework/ops/op_helpers.h"

namespace nabla {

using namespace op_helpers;

// ---------------------------------------------------------------- public functions

// One function per op of the element-wise lists (elementwise_math.h), as ops.h declares them.
#define NABLA_UNARY_FUNCTION(Name, function, ...) \
  Tensor function(const Tensor& x) {              \
    return apply_op(op::Name, {x});               \
  }
NABLA_UNARY_MATH(NABLA_UNARY_FUNCTION)
#undef NABLA_UNARY_FUNCTION
#define NABLA_BINARY_FUNCTION(Name, function, ...)    \
  Tensor function(const Tensor& a, const Tensor& b) { \
    return apply_op(op::Name, {a, b});                \
  }
NABLA_BINARY_MATH(NABLA_BINARY_FUNCTION)
NABLA_COMPARISON_MATH(NABLA_BINARY_FUNCTION)
#undef NABLA_BINARY_FUNCTION

Tensor add_n(const TensorList& xs) {
  if (xs.size() == 1) return xs[0];
  return apply_op(op::AddN, xs);
}
Tensor clip_by_value(const Tensor& x, double lo, double hi) {
  if (lo > hi)
    throw ValueError("clip_by_value: lower bound " + std::to_string(lo) + " exceeds upper bound " +
                     std::to_string(hi));
  return minimum(maximum(x, Tensor(lo)), Tensor(hi));
}

Tensor operator+(const Tensor& a, const Tensor& b) {
  return add(a, b);
}
Tensor operator-(const Tensor& a, const Tensor& b) {
  return sub(a, b);
}
Tensor operator*(const Tensor& a, const Tensor& b) {
  return mul(a, b);
}
Tensor operator/(const Tensor& a, const Tensor& b) {
  return div(a, b);
}
Tensor operator-(const Tensor& x) {
  return neg(x);
}

Tensor logical_and(const Tensor& a, const Tensor& b) {
  return apply_op(op::LogicalAnd, {a, b});
}
Tensor logical_not(const Tensor& x) {
  return apply_op(op::LogicalNot, {x});
}
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
  return apply_op(op::Select, {cond, a, b});
}
Tensor cast(const Tensor& x, DType dtype) {
  if (x.defined() && !x.is_weak() && x.dtype() == dtype) return x;
  return apply_op(op::Cast, {x}, {{"dtype", dtype}});
}

Tensor matmul(const Tensor& a, const Tensor& b, bool transpose_a, bool transpose_b) {
  return apply_op(op::MatMul, {a, b}, {{"transpose_a", transpose_a}, {"transpose_b", transpose_b}});
}

// ---------------------------------------------------------------- definitions

namespace {

TensorSpec infer_matmul(const InferContext& c) {
  c.require_same_dtype();
  if (c.shape(0).rank() != 2 || c.shape(1).rank() != 2)
    c.fail("needs rank-2 inputs, got shapes " + c.shape(0).to_string() + " and " +
           c.shape(1).to_string());
  const bool ta = c.attrs.get_bool("transpose_a", false);
  const bool tb = c.attrs.get_bool("transpose_b", false);
  const int64_t m = c.shape(0)[ta ? 1 : 0], ka = c.shape(0)[ta ? 0 : 1];
  const int64_t kb = c.shape(1)[tb ? 1 : 0], n = c.shape(1)[tb ? 0 : 1];
  if (ka >= 0 && kb >= 0 && ka != kb)
    c.fail("inner dimensions differ: shapes " + c.shape(0).to_string() +
           (ta ? " (transposed)" : "") + " and " + c.shape(1).to_string() +
           (tb ? " (transposed)" : ""));
  return {Shape{m, n}, c.dtype(0)};
}

double matmul_flops(const InferContext& c) {
  const bool ta = c.attrs.get_bool("transpose_a", false);
  const bool tb = c.attrs.get_bool("transpose_b", false);
  const double m = static_cast<double>(c.shape(0)[ta ? 1 : 0]);
  const double k = static_cast<double>(c.shape(0)[ta ? 0 : 1]);
  const double n = static_cast<double>(c.shape(1)[tb ? 0 : 1]);
  return 2 * m * n * k;
}

TensorList grad_matmul(const GradContext& c) {
  const bool ta = c.attrs.get_bool("transpose_a", false);
  const bool tb = c.attrs.get_bool("transpose_b", false);
  const Tensor &a = c.x(0), &b = c.x(1), &g = c.grad;
  if (!ta && !tb) return {matmul(g, b, false, true), matmul(a, g, true, false)};
  if (ta && !tb) return {matmul(b, g, false, true), matmul(a, g)};
  if (!ta && tb) return {matmul(g, b), matmul(g, a, true, false)};
  return {matmul(b, g, true, true), matmul(g, a, true, true)};
}

TensorSpec infer_select(const InferContext& c) {
  if (c.dtype(0) != DType::Bool)
    c.fail("the condition must be bool, got " + std::string(dtype_name(c.dtype(0))));
  if (c.dtype(1) != c.dtype(2))
    throw TypeError(c.where() + ": branches have different dtypes (" + dtype_name(c.dtype(1)) +
                    " and " + dtype_name(c.dtype(2)) + ")");
  Shape s = broadcast_shapes(c.shape(1), c.shape(2), c.where());
  return {broadcast_shapes(c.shape(0), s, c.where()), c.dtype(1)};
}

TensorSpec infer_add_n(const InferContext& c) {
  c.require_same_dtype();
  for (int i = 1; i < c.num_inputs(); ++i)
    if (c.shape(i) != c.shape(0))
      c.fail("inputs must share one shape, got " + c.shape(0).to_string() + " and " +
             c.shape(i).to_string());
  return c.inputs[0];
}

elementwise::Types unary_types(OpId id) {
#define NABLA_UNARY_TYPES(Name, function, Kind, expr) \
  if (id == op::Name) return elementwise::Types::Kind;
  NABLA_UNARY_MATH(NABLA_UNARY_TYPES)
#undef NABLA_UNARY_TYPES
  throw StateError("op " + id.name() + " is not an element-wise unary op");
}

}  // namespace

void register_math_ops(OpRegistry& r) {
  auto binary = [&r](OpId id, GradFn grad) {
    r.define(id, {.min_inputs = 2,
                  .max_inputs = 2,
                  .infer = [](const InferContext& c) { return broadcast_binary(c); },
                  .grad = grad});
  };
  // The element types of a unary op come with its math (elementwise_math.h).
  auto unary = [&r](OpId id, GradFn grad) {
    r.define(id, {.min_inputs = 1,
                  .max_inputs = 1,
                  .infer = unary_types(id) == elementwise::Types::Float ? InferFn(floating_unary)
                                                                        : InferFn(same_as_input),
                  .grad = grad});
  };

  binary(op::Add, [](const GradContext& c) -> TensorList {
    return {unbroadcast(c.grad, c.x(0)), unbroadcast(c.grad, c.x(1))};
  });
  binary(op::Sub, [](const GradContext& c) -> TensorList {
    return {unbroadcast(c.grad, c.x(0)), unbroadcast(-c.grad, c.x(1))};
  });
  binary(op::Mul, [](const GradContext& c) -> TensorList {
    return {unbroadcast(c.grad * c.x(1), c.x(0)), unbroadcast(c.grad * c.x(0), c.x(1))};
  });
  binary(op::Div, [](const GradContext& c) -> TensorList {
    return {unbroadcast(c.grad / c.x(1), c.x(0)),
            unbroadcast(-c.grad * c.x(0) / square(c.x(1)), c.x(1))};
  });
  binary(op::Pow, [](const GradContext& c) -> TensorList {
    const Tensor &a = c.x(0), &b = c.x(1);
    Tensor da = c.grad * b * pow(a, b - 1.0);
    Tensor log_a = where(greater(a, 0.0), log(a), zeros_like(a));
    Tensor db = c.grad * c.output * log_a;
    return {unbroadcast(da, a), unbroadcast(db, b)};
  });
  binary(op::Maximum, [](const GradContext& c) -> TensorList {
    Tensor mask = greater_equal(c.x(0), c.x(1));
    Tensor zero = zeros_like(c.grad);
    return {unbroadcast(where(mask, c.grad, zero), c.x(0)),
            unbroadcast(where(mask, zero, c.grad), c.x(1))};
  });
  binary(op::Minimum, [](const GradContext& c) -> TensorList {
    Tensor mask = less_equal(c.x(0), c.x(1));
    Tensor zero = zeros_like(c.grad);
    return {unbroadcast(where(mask, c.grad, zero), c.x(0)),
            unbroadcast(where(mask, zero, c.grad), c.x(1))};
  });
  r.define(
      op::AddN,
      {.min_inputs = 1, .max_inputs = -1, .infer = infer_add_n, .grad = [](const GradContext& c) {
         return TensorList(c.inputs.size(), c.grad);
       }});

  unary(op::Neg, [](const GradContext& c) -> TensorList { return {-c.grad}; });
  unary(op::Square, [](const GradContext& c) -> TensorList { return {c.grad * (c.x() * 2.0)}; });
  unary(op::Sqrt, [](const GradContext& c) -> TensorList { return {c.grad * 0.5 / c.output}; });
  unary(op::Rsqrt, [](const GradContext& c) -> TensorList {
    return {c.grad * (c.output * c.output * c.output) * -0.5};
  });
  unary(op::Exp, [](const GradContext& c) -> TensorList { return {c.grad * c.output}; });
  unary(op::Log, [](const GradContext& c) -> TensorList { return {c.grad / c.x()}; });
  unary(op::Log1p, [](const GradContext& c) -> TensorList { return {c.grad / (c.x() + 1.0)}; });
  unary(op::Abs, [](const GradContext& c) -> TensorList { return {c.grad * sign(c.x())}; });
  unary(op::Sign, nullptr);
  unary(op::Reciprocal,
        [](const GradContext& c) -> TensorList { return {-c.grad * square(c.output)}; });
  unary(op::Cos, [](const GradContext& c) -> TensorList { return {-c.grad * sin(c.x())}; });
  unary(op::Sin, [](const GradContext& c) -> TensorList { return {c.grad * cos(c.x())}; });
  unary(op::Floor, nullptr);

  // Comparisons: every type, bool results, no gradient.
#define NABLA_COMPARISON_DEF(Name, function, expr)                                           \
  r.define(op::Name, {.min_inputs = 2, .max_inputs = 2, .infer = [](const InferContext& c) { \
                        return broadcast_binary(c, true);                                    \
                      }});
  NABLA_COMPARISON_MATH(NABLA_COMPARISON_DEF)
#undef NABLA_COMPARISON_DEF
  r.define(op::LogicalAnd, {.min_inputs = 2, .max_inputs = 2, .infer = [](const InferContext& c) {
                              if (c.dtype(0) != DType::Bool || c.dtype(1) != DType::Bool)
                                throw TypeError(c.where() + ": inputs must be bool");
                              return broadcast_binary(c, true);
                            }});
  r.define(op::LogicalNot, {.min_inputs = 1, .max_inputs = 1, .infer = [](const InferContext& c) {
                              if (c.dtype(0) != DType::Bool)
                                throw TypeError(c.where() + ": input must be bool");
                              return c.inputs[0];
                            }});
  r.define(op::Select, {.min_inputs = 3,
                        .max_inputs = 3,
                        .infer = infer_select,
                        .grad = [](const GradContext& c) -> TensorList {
                          Tensor zero = zeros_like(c.grad);
                          return {Tensor(), unbroadcast(where(c.x(0), c.grad, zero), c.x(1)),
                                  unbroadcast(where(c.x(0), zero, c.grad), c.x(2))};
                        }});
  r.define(op::Cast, {.min_inputs = 1,
                      .max_inputs = 1,
                      .infer =
                          [](const InferContext& c) {
                            return TensorSpec{c.shape(0), c.attrs.get_dtype("dtype")};
                          },
                      .grad = [](const GradContext& c) -> TensorList {
                        if (!is_floating(c.x().dtype()) || !is_floating(c.output.dtype()))
                          return {Tensor()};
                        return {cast(c.grad, c.x().dtype())};
                      }});
  r.define(op::MatMul, {.min_inputs = 2,
                        .max_inputs = 2,
                        .infer = infer_matmul,
                        .grad = grad_matmul,
                        .flops = matmul_flops});
}

}  // namespace nabla
