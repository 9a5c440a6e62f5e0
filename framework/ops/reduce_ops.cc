// Reductions over axes, argmax, and the broadcast/reduce pair used by gradients.
#include "framework/ops/op_helpers.h"

namespace nabla {

using namespace op_helpers;

namespace {

Attrs reduce_attrs(const std::vector<int>& axes, bool keepdims) {
  return {{"axes", std::vector<int64_t>(axes.begin(), axes.end())}, {"keepdims", keepdims}};
}

TensorSpec infer_reduce(const InferContext& c) {
  const Shape& x = c.shape(0);
  const auto axes = normalized_axes(c.attrs.get_ints("axes"), x.rank(), c.where());
  const bool keepdims = c.attrs.get_bool("keepdims", false);
  Shape out;
  for (int i = 0; i < x.rank(); ++i) {
    const bool reduced = std::find(axes.begin(), axes.end(), i) != axes.end();
    if (!reduced) {
      out.push_back(x[i]);
    } else if (keepdims) {
      out.push_back(1);
    }
  }
  if (c.op != op::ReduceSum && c.op != op::ReduceMax && c.op != op::ReduceMin)
    c.require_floating(0);
  if (c.dtype(0) == DType::Bool) throw TypeError(c.where() + ": cannot reduce a bool tensor");
  return {out, c.dtype(0)};
}

// Product of the reduced dimensions of x: a constant when they are known, else a node that
// reads them at run time.
Tensor reduced_count(const Tensor& x, const std::vector<int64_t>& axes) {
  double count = 1;
  for (int64_t a : normalized_axes(axes, x.rank(), "ReduceMean")) {
    if (x.shape()[static_cast<int>(a)] < 0)
      return apply_op(op::ReducedSize, {x}, {{"axes", axes}, {"dtype", x.dtype()}});
    count *= static_cast<double>(x.shape()[static_cast<int>(a)]);
  }
  return Tensor::scalar(count, x.dtype());
}

TensorList grad_extremum(const GradContext& c) {
  const auto& axes = c.attrs.get_ints("axes");
  const bool keepdims = c.attrs.get_bool("keepdims", false);
  // Ties share the gradient equally, as in TensorFlow.
  Tensor mask = equal(c.x(), unreduce(c.output, c.x(), axes, keepdims));
  Tensor maskf = cast(mask, c.x().dtype());
  Tensor count = apply_op(op::ReduceSum, {maskf}, {{"axes", axes}, {"keepdims", keepdims}});
  return {maskf * unreduce(c.grad / count, c.x(), axes, keepdims)};
}

}  // namespace

Tensor reduce_sum(const Tensor& x, const std::vector<int>& axes, bool keepdims) {
  return apply_op(op::ReduceSum, {x}, reduce_attrs(axes, keepdims));
}
Tensor reduce_mean(const Tensor& x, const std::vector<int>& axes, bool keepdims) {
  return apply_op(op::ReduceMean, {x}, reduce_attrs(axes, keepdims));
}
Tensor reduce_max(const Tensor& x, const std::vector<int>& axes, bool keepdims) {
  return apply_op(op::ReduceMax, {x}, reduce_attrs(axes, keepdims));
}
Tensor reduce_min(const Tensor& x, const std::vector<int>& axes, bool keepdims) {
  return apply_op(op::ReduceMin, {x}, reduce_attrs(axes, keepdims));
}
Tensor argmax(const Tensor& x, int axis) {
  return apply_op(op::ArgMax, {x}, {{"axis", int64_t{axis}}});
}

Tensor reduce_logsumexp(const Tensor& x, const std::vector<int>& axes, bool keepdims) {
  // Shifting by the (constant) maximum keeps exp from overflowing.
  Tensor m = stop_gradient(reduce_max(x, axes, true));
  Tensor lse = log(reduce_sum(exp(x - m), axes, true)) + m;
  if (keepdims) return lse;
  return reduce_sum(lse, axes, false);  // drops the kept size-1 axes
}

void register_reduce_ops(OpRegistry& r) {
  r.define(op::ReduceSum, {.min_inputs = 1,
                           .max_inputs = 1,
                           .infer = infer_reduce,
                           .grad = [](const GradContext& c) -> TensorList {
                             return {unreduce(c.grad, c.x(), c.attrs.get_ints("axes"),
                                              c.attrs.get_bool("keepdims", false))};
                           }});
  r.define(op::ReduceMean, {.min_inputs = 1,
                            .max_inputs = 1,
                            .infer = infer_reduce,
                            .grad = [](const GradContext& c) -> TensorList {
                              const auto& axes = c.attrs.get_ints("axes");
                              Tensor spread = unreduce(c.grad, c.x(), axes,
                                                       c.attrs.get_bool("keepdims", false));
                              return {spread / reduced_count(c.x(), axes)};
                            }});
  r.define(op::ReduceMax,
           {.min_inputs = 1, .max_inputs = 1, .infer = infer_reduce, .grad = grad_extremum});
  r.define(op::ReduceMin,
           {.min_inputs = 1, .max_inputs = 1, .infer = infer_reduce, .grad = grad_extremum});
  r.define(op::ArgMax, {.min_inputs = 1, .max_inputs = 1, .infer = [](const InferContext& c) {
                          const int axis = normalize_axis(static_cast<int>(c.attrs.get_int("axis")),
                                                          c.shape(0).rank(), c.where());
                          if (c.dtype(0) == DType::Bool)
                            throw TypeError(c.where() + ": bool input");
                          return TensorSpec{c.shape(0).erased(axis), DType::Int64};
                        }});
  r.define(op::ReducedSize, {.min_inputs = 1, .max_inputs = 1, .infer = [](const InferContext& c) {
                               return TensorSpec{Shape{}, c.attrs.get_dtype("dtype")};
                             }});
  // Sums a gradient over the axes along which input 1 was broadcast, giving input 1's shape.
  r.define(op::ReduceToShapeOf, {.min_inputs = 2,
                                 .max_inputs = 2,
                                 .infer =
                                     [](const InferContext& c) {
                                       broadcast_shapes(c.shape(0), c.shape(1), c.where());
                                       return TensorSpec{c.shape(1), c.dtype(0)};
                                     },
                                 .grad = [](const GradContext& c) -> TensorList {
                                   return {apply_op(op::BroadcastLike, {c.grad, c.x(0)}), Tensor()};
                                 }});
  // Broadcasts input 0 to the (run-time) shape of input 1.
  r.define(op::BroadcastLike, {.min_inputs = 2,
                               .max_inputs = 2,
                               .infer =
                                   [](const InferContext& c) {
                                     Shape s = broadcast_shapes(c.shape(0), c.shape(1), c.where());
                                     if (s.rank() != c.shape(1).rank())
                                       c.fail("cannot broadcast " + c.shape(0).to_string() +
                                              " to " + c.shape(1).to_string());
                                     return TensorSpec{c.shape(1), c.dtype(0)};
                                   },
                               .grad = [](const GradContext& c) -> TensorList {
                                 return {unbroadcast(c.grad, c.x(0)), Tensor()};
                               }});
}

}  // namespace nabla
