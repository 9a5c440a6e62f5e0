// Shape manipulation, copies, one-hot and filled tensors.
#include "framework/ops/op_helpers.h"

namespace nabla {

using namespace op_helpers;

namespace {

// Resolves a reshape target (one dimension may be -1) against the input shape.
Shape reshape_target(const InferContext& c, const Shape& from, Shape to) {
  int unknown = -1;
  int64_t known = 1;
  for (int i = 0; i < to.rank(); ++i) {
    if (to[i] < 0) {
      if (unknown >= 0) c.fail("target shape " + to.to_string() + " has more than one -1");
      unknown = i;
    } else {
      known *= to[i];
    }
  }
  if (!from.is_fully_defined()) return to;  // checked again with the run-time shape
  const int64_t total = from.numel();
  if (unknown >= 0) {
    if (known == 0 || total % known != 0)
      c.fail("cannot reshape " + from.to_string() + " into " + to.to_string());
    to[unknown] = total / known;
  } else if (known != total) {
    c.fail("cannot reshape " + from.to_string() + " (" + std::to_string(total) +
           " elements) into " + to.to_string() + " (" + std::to_string(known) + " elements)");
  }
  return to;
}

TensorList grad_reshape_like(const GradContext& c) {
  return {apply_op(op::ReshapeLike, {c.grad, c.x()})};
}

std::vector<int64_t> resolved_perm(const std::vector<int64_t>& perm, int rank,
                                   const std::string& where) {
  std::vector<int64_t> p = perm;
  if (p.empty())
    for (int i = rank - 1; i >= 0; --i) p.push_back(i);
  if (static_cast<int>(p.size()) != rank)
    throw ShapeError(where + ": permutation has " + std::to_string(p.size()) + " axes for a rank-" +
                     std::to_string(rank) + " tensor");
  std::vector<bool> seen(rank, false);
  for (int64_t& a : p) {
    a = normalize_axis(static_cast<int>(a), rank, where);
    if (seen[a])
      throw ShapeError(where + ": axis " + std::to_string(a) + " repeats in the permutation");
    seen[a] = true;
  }
  return p;
}

TensorSpec infer_concat(const InferContext& c) {
  c.require_same_dtype();
  const Shape& first = c.shape(0);
  const int axis =
      normalize_axis(static_cast<int>(c.attrs.get_int("axis")), first.rank(), c.where());
  Shape out = first;
  for (int i = 1; i < c.num_inputs(); ++i) {
    const Shape& s = c.shape(i);
    if (s.rank() != first.rank())
      c.fail("inputs have ranks " + std::to_string(first.rank()) + " and " +
             std::to_string(s.rank()));
    for (int d = 0; d < s.rank(); ++d) {
      if (d == axis) {
        out[d] = (out[d] < 0 || s[d] < 0) ? -1 : out[d] + s[d];
      } else if (s[d] >= 0 && out[d] >= 0 && s[d] != out[d]) {
        c.fail("shapes " + first.to_string() + " and " + s.to_string() +
               " differ outside the concat axis " + std::to_string(axis));
      }
    }
  }
  return {out, c.dtype(0)};
}

TensorSpec infer_slice(const InferContext& c) {
  const Shape& x = c.shape(0);
  const auto& begin = c.attrs.get_ints("begin");
  const auto& size = c.attrs.get_ints("size");
  if (static_cast<int>(begin.size()) != x.rank() || static_cast<int>(size.size()) != x.rank())
    c.fail("begin and size need " + std::to_string(x.rank()) + " entries for shape " +
           x.to_string());
  Shape out;
  for (int d = 0; d < x.rank(); ++d) {
    if (begin[d] < 0 || (x[d] >= 0 && begin[d] > x[d]))
      c.fail("begin " + std::to_string(begin[d]) + " is outside axis " + std::to_string(d) +
             " of shape " + x.to_string());
    int64_t n = size[d];
    if (n < 0) {
      n = x[d] < 0 ? -1 : x[d] - begin[d];
    } else if (x[d] >= 0 && begin[d] + n > x[d]) {
      c.fail("slice [" + std::to_string(begin[d]) + ", " + std::to_string(begin[d] + n) +
             ") runs past axis " + std::to_string(d) + " of shape " + x.to_string());
    }
    out.push_back(n);
  }
  return {out, c.dtype(0)};
}

}  // namespace

Tensor reshape(const Tensor& x, const Shape& shape) {
  return apply_op(op::Reshape, {x}, {{"shape", shape}});
}
Tensor transpose(const Tensor& x, const std::vector<int>& perm) {
  return apply_op(op::Transpose, {x}, {{"perm", std::vector<int64_t>(perm.begin(), perm.end())}});
}
Tensor concat(const TensorList& xs, int axis) {
  if (xs.empty()) throw ValueError("concat of an empty list");
  if (xs.size() == 1) return xs[0];
  return apply_op(op::Concat, xs, {{"axis", int64_t{axis}}});
}
Tensor slice(const Tensor& x, const std::vector<int64_t>& begin, const std::vector<int64_t>& size) {
  return apply_op(op::Slice, {x}, {{"begin", begin}, {"size", size}});
}
Tensor expand_dims(const Tensor& x, int axis) {
  return apply_op(op::ExpandDims, {x}, {{"axis", int64_t{axis}}});
}
Tensor squeeze(const Tensor& x, int axis) {
  return apply_op(op::Squeeze, {x}, {{"axis", int64_t{axis}}});
}
Tensor broadcast_to(const Tensor& x, const Shape& shape) {
  return apply_op(op::BroadcastTo, {x}, {{"shape", shape}});
}
Tensor identity(const Tensor& x) {
  return apply_op(op::Identity, {x});
}
Tensor gather(const Tensor& params, const Tensor& indices) {
  return apply_op(op::Gather, {params, indices});
}
Tensor stop_gradient(const Tensor& x) {
  return apply_op(op::StopGradient, {x});
}
Tensor one_hot(const Tensor& indices, int64_t depth, double on_value, double off_value,
               DType dtype) {
  return apply_op(
      op::OneHot, {indices},
      {{"depth", depth}, {"on_value", on_value}, {"off_value", off_value}, {"dtype", dtype}});
}
Tensor fill(const Shape& shape, double value, DType dtype) {
  if (!shape.is_fully_defined())
    throw ShapeError("fill needs a fully defined shape, got " + shape.to_string() +
                     "; use fill_like for a shape known only at run time");
  return apply_op(op::Fill, {}, {{"shape", shape}, {"value", value}, {"dtype", dtype}});
}
Tensor zeros(const Shape& shape, DType dtype) {
  return fill(shape, 0.0, dtype);
}
Tensor ones(const Shape& shape, DType dtype) {
  return fill(shape, 1.0, dtype);
}
Tensor fill_like(const Tensor& x, double value) {
  return apply_op(op::FillLike, {x}, {{"value", value}});
}
Tensor zeros_like(const Tensor& x) {
  return fill_like(x, 0.0);
}
Tensor ones_like(const Tensor& x) {
  return fill_like(x, 1.0);
}

void register_array_ops(OpRegistry& r) {
  r.define(op::Reshape, {.min_inputs = 1,
                         .max_inputs = 1,
                         .infer =
                             [](const InferContext& c) {
                               return TensorSpec{
                                   reshape_target(c, c.shape(0), c.attrs.get_shape("shape")),
                                   c.dtype(0)};
                             },
                         .grad = grad_reshape_like,
                         .aliases_input = true});
  r.define(op::ReshapeLike, {.min_inputs = 2,
                             .max_inputs = 2,
                             .infer =
                                 [](const InferContext& c) {
                                   if (c.shape(0).is_fully_defined() &&
                                       c.shape(1).is_fully_defined() &&
                                       c.shape(0).numel() != c.shape(1).numel())
                                     c.fail("cannot reshape " + c.shape(0).to_string() + " like " +
                                            c.shape(1).to_string());
                                   return TensorSpec{c.shape(1), c.dtype(0)};
                                 },
                             .grad = [](const GradContext& c) -> TensorList {
                               return {apply_op(op::ReshapeLike, {c.grad, c.x(0)}), Tensor()};
                             },
                             .aliases_input = true});
  r.define(op::ExpandDims, {.min_inputs = 1,
                            .max_inputs = 1,
                            .infer =
                                [](const InferContext& c) {
                                  const int rank = c.shape(0).rank();
                                  int axis = static_cast<int>(c.attrs.get_int("axis"));
                                  if (axis < -rank - 1 || axis > rank)
                                    c.fail("axis " + std::to_string(axis) +
                                           " is out of range for rank " + std::to_string(rank));
                                  if (axis < 0) axis += rank + 1;
                                  return TensorSpec{c.shape(0).inserted(axis, 1), c.dtype(0)};
                                },
                            .grad = grad_reshape_like,
                            .aliases_input = true});
  r.define(op::Squeeze, {.min_inputs = 1,
                         .max_inputs = 1,
                         .infer =
                             [](const InferContext& c) {
                               const int axis =
                                   normalize_axis(static_cast<int>(c.attrs.get_int("axis")),
                                                  c.shape(0).rank(), c.where());
                               if (c.shape(0)[axis] > 1)
                                 c.fail("axis " + std::to_string(axis) + " of shape " +
                                        c.shape(0).to_string() + " is not of size 1");
                               return TensorSpec{c.shape(0).erased(axis), c.dtype(0)};
                             },
                         .grad = grad_reshape_like,
                         .aliases_input = true});
  r.define(op::Transpose, {.min_inputs = 1,
                           .max_inputs = 1,
                           .infer =
                               [](const InferContext& c) {
                                 const auto perm = resolved_perm(c.attrs.get_ints("perm"),
                                                                 c.shape(0).rank(), c.where());
                                 Shape out;
                                 for (int64_t a : perm)
                                   out.push_back(c.shape(0)[static_cast<int>(a)]);
                                 return TensorSpec{out, c.dtype(0)};
                               },
                           .grad = [](const GradContext& c) -> TensorList {
                             const auto perm =
                                 resolved_perm(c.attrs.get_ints("perm"), c.x().rank(), "Transpose");
                             std::vector<int> inverse(perm.size());
                             for (size_t i = 0; i < perm.size(); ++i)
                               inverse[perm[i]] = static_cast<int>(i);
                             return {transpose(c.grad, inverse)};
                           }});
  r.define(op::Concat, {.min_inputs = 1,
                        .max_inputs = -1,
                        .infer = infer_concat,
                        .grad = [](const GradContext& c) -> TensorList {
                          const int rank = c.x(0).rank();
                          const int axis = normalize_axis(static_cast<int>(c.attrs.get_int("axis")),
                                                          rank, "Concat");
                          TensorList out;
                          int64_t offset = 0;
                          for (const Tensor& x : c.inputs) {
                            const int64_t n = x.shape()[axis];
                            if (n < 0)
                              throw ShapeError("Concat gradient needs the sizes along axis " +
                                               std::to_string(axis) + " to be known, got " +
                                               x.shape().to_string());
                            std::vector<int64_t> begin(rank, 0), size(rank, -1);
                            begin[axis] = offset;
                            size[axis] = n;
                            out.push_back(slice(c.grad, begin, size));
                            offset += n;
                          }
                          return out;
                        }});
  r.define(
      op::Slice,
      {.min_inputs = 1,
       .max_inputs = 1,
       .infer = infer_slice,
       .grad = [](const GradContext& c) -> TensorList {
         return {apply_op(op::SliceGrad, {c.grad, c.x()}, {{"begin", c.attrs.get_ints("begin")}})};
       }});
  // Zeros shaped like input 1 with input 0 written at offset `begin`.
  r.define(op::SliceGrad, {.min_inputs = 2, .max_inputs = 2, .infer = [](const InferContext& c) {
                             return TensorSpec{c.shape(1), c.dtype(0)};
                           }});
  r.define(
      op::BroadcastTo,
      {.min_inputs = 1,
       .max_inputs = 1,
       .infer =
           [](const InferContext& c) {
             const Shape& target = c.attrs.get_shape("shape");
             Shape s = broadcast_shapes(c.shape(0), target, c.where());
             if (s != target)
               c.fail("cannot broadcast " + c.shape(0).to_string() + " to " + target.to_string());
             return TensorSpec{target, c.dtype(0)};
           },
       .grad = [](const GradContext& c) -> TensorList { return {unbroadcast(c.grad, c.x())}; }});
  r.define(op::Identity, {.min_inputs = 1,
                          .max_inputs = 1,
                          .infer = same_as_input,
                          .grad = [](const GradContext& c) -> TensorList { return {c.grad}; },
                          .aliases_input = true});
  r.define(op::StopGradient,
           {.min_inputs = 1, .max_inputs = 1, .infer = same_as_input, .aliases_input = true});
  r.define(op::OneHot, {.min_inputs = 1, .max_inputs = 1, .infer = [](const InferContext& c) {
                          if (!is_integer(c.dtype(0)))
                            throw TypeError(c.where() + ": indices must be int32 or int64, got " +
                                            dtype_name(c.dtype(0)));
                          const int64_t depth = c.attrs.get_int("depth");
                          if (depth <= 0)
                            c.fail("depth must be positive, got " + std::to_string(depth));
                          Shape out = c.shape(0);
                          out.push_back(depth);
                          return TensorSpec{out, c.attrs.get_dtype("dtype")};
                        }});
  r.define(op::Gather, {.min_inputs = 2,
                        .max_inputs = 2,
                        .infer =
                            [](const InferContext& c) {
                              if (!is_integer(c.dtype(1)) || c.shape(1).rank() != 1)
                                c.fail("indices must be a rank-1 int32/int64 tensor, got " +
                                       c.shape(1).to_string() + " " + dtype_name(c.dtype(1)));
                              if (c.shape(0).rank() < 1)
                                c.fail("params must have at least one axis");
                              Shape out = c.shape(0);
                              out[0] = c.shape(1)[0];
                              return TensorSpec{out, c.dtype(0)};
                            },
                        .grad = [](const GradContext& c) -> TensorList {
                          return {apply_op(op::GatherGrad, {c.grad, c.x(1), c.x(0)}), Tensor()};
                        }});
  // Zeros shaped like input 2 with the rows of input 0 added at the rows named by input 1.
  r.define(op::GatherGrad, {.min_inputs = 3, .max_inputs = 3, .infer = [](const InferContext& c) {
                              return TensorSpec{c.shape(2), c.dtype(0)};
                            }});
  r.define(op::Fill, {.min_inputs = 0, .max_inputs = 0, .infer = [](const InferContext& c) {
                        return TensorSpec{c.attrs.get_shape("shape"), c.attrs.get_dtype("dtype")};
                      }});
  r.define(op::FillLike, {.min_inputs = 1, .max_inputs = 1, .infer = same_as_input});
}

}  // namespace nabla
