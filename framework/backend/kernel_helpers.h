// Host-side helpers shared by the kernels of every backend: dtype dispatch, axis checks,
// broadcast strides, and the views that reductions and softmax take of a shape. They hold no
// device code and no threads, so the CPU and CUDA kernels read shapes and attributes the same way.
#pragma once

#include <cstdint>
#include <string>

#include "framework/backend/kernel.h"
#include "framework/core/attrs.h"
#include "framework/core/errors.h"

namespace nabla::kernels {

/// Calls body.template operator()<T>() with T the C++ type of `dtype`, among float types.
template <class F>
void dispatch_float(DType dtype, const KernelArgs& args, F&& body) {
  switch (dtype) {
    case DType::Float32:
      body.template operator()<float>();
      return;
    case DType::Float64:
      body.template operator()<double>();
      return;
    default:
      throw TypeError(args.where() + ": no kernel for " + dtype_name(dtype));
  }
}

/// Same, among the numeric types (floats and ints).
template <class F>
void dispatch_numeric(DType dtype, const KernelArgs& args, F&& body) {
  if (dtype == DType::Int32) {
    body.template operator()<int32_t>();
  } else if (dtype == DType::Int64) {
    body.template operator()<int64_t>();
  } else {
    dispatch_float(dtype, args, body);
  }
}

/// Same, among all types (bool as uint8_t).
template <class F>
void dispatch_all(DType dtype, const KernelArgs& args, F&& body) {
  if (dtype == DType::Bool) {
    body.template operator()<uint8_t>();
  } else {
    dispatch_numeric(dtype, args, body);
  }
}

/// `axis` normalised for `rank`. Kernels call this instead of normalize_axis() so that the
/// message (which allocates) is built only on failure: kernels must not allocate.
inline int kernel_axis(const KernelArgs& args, int64_t axis, int rank) {
  if (axis < -rank || axis >= rank)
    throw ShapeError(args.where() + ": axis " + std::to_string(axis) +
                     " is out of range for rank " + std::to_string(rank));
  return static_cast<int>(axis < 0 ? axis + rank : axis);
}

/// Row-major strides of `shape` aligned to an output of rank `out_rank`, with 0 along axes the
/// input broadcasts (size 1, or missing on the left).
inline void broadcast_strides(const Shape& in, const Shape& out, int64_t* strides) {
  const int r = out.rank();
  int64_t s = 1;
  for (int i = r - 1; i >= 0; --i) {
    const int j = in.rank() - r + i;
    const int64_t d = j >= 0 ? in[j] : 1;
    strides[i] = (d == 1 && out[i] != 1) ? 0 : s;
    s *= d;
  }
}

/// Row-major strides of `s`.
inline void row_major_strides(const Shape& s, int64_t* strides) {
  int64_t acc = 1;
  for (int i = s.rank() - 1; i >= 0; --i) strides[i] = acc, acc *= s[i];
}

/// A set of axes as bits (axis i is bit i). Fixed size: reductions run inside training steps,
/// which must not allocate.
using AxisMask = uint32_t;

/// The axes of a reduction's "axes" attribute (empty: all of them).
inline AxisMask axes_mask(const KernelArgs& args, int rank) {
  const auto& axes = args.attrs->get_ints("axes");
  if (axes.empty()) return (AxisMask{1} << rank) - 1;
  AxisMask mask = 0;
  for (int64_t a : axes) mask |= AxisMask{1} << kernel_axis(args, a, rank);
  return mask;
}

/// The number of elements a reduction over `mask` combines into each output element.
inline int64_t reduced_count(const Shape& in, AxisMask mask) {
  int64_t count = 1;
  for (int i = 0; i < in.rank(); ++i)
    if ((mask >> i) & 1) count *= in[i];
  return count;
}

/// The axes along which `in` is summed to reach `like` (ReduceToShapeOf, numpy broadcasting
/// in reverse); ShapeError when `in` does not broadcast from `like`.
inline AxisMask reduce_to_shape_mask(const KernelArgs& args, const Shape& in, const Shape& like) {
  AxisMask mask = 0;
  for (int i = 0; i < in.rank(); ++i) {
    const int j = like.rank() - in.rank() + i;
    const int64_t d = j >= 0 ? like[j] : 1;
    if (d == 1 && in[i] != 1) {
      mask |= AxisMask{1} << i;
    } else if (d != in[i]) {
      throw ShapeError(args.where() + ": cannot reduce " + in.to_string() + " to " +
                       like.to_string());
    }
  }
  return mask;
}

/// Input dimensions after merging neighbours that are both reduced or both kept.
struct Groups {
  int64_t size[Shape::kMaxRank];
  bool reduced[Shape::kMaxRank];
  int count = 0;
};

inline Groups group_dims(const Shape& in, AxisMask mask) {
  Groups g;
  for (int i = 0; i < in.rank(); ++i) {
    if (in[i] == 1) continue;  // size-1 axes change nothing
    const bool r = (mask >> i) & 1;
    if (g.count && g.reduced[g.count - 1] == r) {
      g.size[g.count - 1] *= in[i];
    } else {
      g.size[g.count] = in[i];
      g.reduced[g.count++] = r;
    }
  }
  return g;
}

/// Elements per row (index along the first axis) of a tensor shaped `shape`: the product of the
/// other axes, also when there are no rows; 1 for a scalar.
inline int64_t elements_per_row(const Shape& shape) {
  int64_t n = 1;
  for (int i = 1; i < shape.rank(); ++i) n *= shape[i];
  return n;
}

/// ReducedSize's value: how many elements of `in` its "axes" attribute spans (all when empty).
inline double reduced_size(const KernelArgs& args, const Shape& in) {
  const auto& axes = args.attrs->get_ints("axes");
  if (axes.empty()) return static_cast<double>(in.numel());
  double count = 1;
  for (int64_t a : axes) count *= static_cast<double>(in[kernel_axis(args, a, in.rank())]);
  return count;
}

/// Assign, AssignAdd, AssignSub (variable, value): true when the value is one scalar spread over
/// the variable; ShapeError unless it is that or has the variable's size.
inline bool assign_from_scalar(const KernelArgs& args) {
  const int64_t n = args.in(0).numel();
  const bool scalar = args.in(1).numel() == 1 && n != 1;
  if (!scalar && args.in(1).numel() != n)
    throw ShapeError(args.where() + ": value " + args.in(1).shape.to_string() +
                     " does not fit variable " + args.in(0).shape.to_string());
  return scalar;
}

/// The ops whose kernel only copies the input (shape changes are the views' business).
inline constexpr OpId kCopyOps[] = {op::Identity,    op::StopGradient, op::Reshape,
                                    op::ReshapeLike, op::ExpandDims,   op::Squeeze};

/// Softmax-like ops and argmax work on [outer, n, inner] views of their input around one axis.
struct AxisView {
  int64_t outer = 1, n = 1, inner = 1;
};

inline AxisView axis_view(const Shape& s, int axis) {
  AxisView v;
  for (int i = 0; i < axis; ++i) v.outer *= s[i];
  v.n = s[axis];
  for (int i = axis + 1; i < s.rank(); ++i) v.inner *= s[i];
  return v;
}

}  // namespace nabla::kernels
