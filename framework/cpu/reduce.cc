// CPU kernels of reductions (sum, mean, max, min, argmax) and of the broadcast/reduce pair that
// gradients of broadcasting ops use.
#include <cmath>
#include <limits>

#include "framework/backend/backend.h"
#include "framework/cpu/kernel_util.h"

namespace nabla::cpu {
namespace {

enum class Reduction { Sum, Max, Min };

template <class T>
T reduce_init(Reduction r) {
  if (r == Reduction::Sum) return T(0);
  if constexpr (std::numeric_limits<T>::has_infinity) {
    return r == Reduction::Max ? -std::numeric_limits<T>::infinity()
                               : std::numeric_limits<T>::infinity();
  } else {
    return r == Reduction::Max ? std::numeric_limits<T>::lowest() : std::numeric_limits<T>::max();
  }
}

template <class T>
inline T combine(Reduction r, T acc, T v) {
  if (r == Reduction::Sum) return acc + v;
  if (v != v) return v;  // NaN wins, as in TensorFlow
  return r == Reduction::Max ? (v > acc ? v : acc) : (v < acc ? v : acc);
}

using kernels::AxisMask;
using kernels::group_dims;
using kernels::Groups;

// Reduces `x` of shape `in` over the axes in `mask`, writing the kept elements in order to `y`.
template <class T>
void reduce(const KernelArgs& args, const T* x, const Shape& in, AxisMask mask, T* y,
            Reduction op) {
  const Groups g = group_dims(in, mask);
  const int64_t total = in.numel();
  int64_t out_n = 1;
  for (int i = 0; i < g.count; ++i)
    if (!g.reduced[i]) out_n *= g.size[i];
  const T init = reduce_init<T>(op);
  if (total == 0) {
    std::fill(y, y + out_n, init);
    return;
  }
  // outer (kept) x R (reduced) x inner (kept): covers every case with one reduced group.
  int reduced_groups = 0;
  for (int i = 0; i < g.count; ++i) reduced_groups += g.reduced[i];
  if (reduced_groups <= 1) {
    int64_t outer = 1, r = 1, inner = 1;
    bool seen = false;
    for (int i = 0; i < g.count; ++i) {
      if (g.reduced[i]) {
        r = g.size[i], seen = true;
      } else {
        (seen ? inner : outer) *= g.size[i];
      }
    }
    if (inner == 1) {  // contiguous rows
      parallel_range(args, outer, r, [&](int64_t o0, int64_t o1) {
        for (int64_t o = o0; o < o1; ++o) {
          const T* row = x + o * r;
          T acc = init;
          for (int64_t j = 0; j < r; ++j) acc = combine(op, acc, row[j]);
          y[o] = acc;
        }
      });
    } else {  // column-wise: vectorizes over the inner axis
      parallel_range(args, outer * inner, r, [&](int64_t lo, int64_t hi) {
        for (int64_t idx = lo; idx < hi;) {
          const int64_t o = idx / inner, i0 = idx % inner;
          const int64_t i1 = std::min(inner, i0 + (hi - idx));
          T* out = y + o * inner;
          std::fill(out + i0, out + i1, init);
          for (int64_t j = 0; j < r; ++j) {
            const T* src = x + (o * r + j) * inner;
            for (int64_t i = i0; i < i1; ++i) out[i] = combine(op, out[i], src[i]);
          }
          idx += i1 - i0;
        }
      });
    }
    return;
  }
  // General case: walk every input element once (serial).
  const int rank = g.count;
  int64_t out_stride[Shape::kMaxRank] = {}, counter[Shape::kMaxRank] = {};
  int64_t s = 1;
  for (int i = rank - 1; i >= 0; --i)
    if (!g.reduced[i]) out_stride[i] = s, s *= g.size[i];
  std::fill(y, y + out_n, init);
  int64_t out_off = 0;
  for (int64_t e = 0; e < total; ++e) {
    y[out_off] = combine(op, y[out_off], x[e]);
    for (int i = rank - 1; i >= 0; --i) {
      out_off += out_stride[i];
      if (++counter[i] < g.size[i]) break;
      out_off -= out_stride[i] * g.size[i];
      counter[i] = 0;
    }
  }
}

// The reduced axes, from the "axes" attribute and the input's rank (which a plan fixes).
void decode_axes(KernelArgs& args) {
  args.params.set(kernels::axes_mask(args, args.in(0).shape.rank()));
}

template <Reduction R, bool Mean = false>
void reduce_kernel(const KernelArgs& args) {
  dispatch_numeric(args.in(0).dtype, args, [&]<class T>() {
    const TensorView& x = args.in(0);
    const AxisMask mask = args.params.get<AxisMask>();
    T* y = args.output.as<T>();
    reduce<T>(args, x.as<T>(), x.shape, mask, y, R);
    if constexpr (Mean) {
      const int64_t count = kernels::reduced_count(x.shape, mask);
      const T scale = count ? T(1) / static_cast<T>(count) : std::numeric_limits<T>::quiet_NaN();
      for (int64_t i = 0, n = args.output.numel(); i < n; ++i) y[i] *= scale;
    }
  });
}

void reduce_to_shape_of_kernel(const KernelArgs& args) {
  const TensorView &g = args.in(0), &like = args.in(1);
  const Shape& in = g.shape;
  const AxisMask mask = kernels::reduce_to_shape_mask(args, in, like.shape);
  dispatch_numeric(g.dtype, args, [&]<class T>() {
    reduce<T>(args, g.as<T>(), in, mask, args.output.as<T>(), Reduction::Sum);
  });
}

void broadcast_kernel(const KernelArgs& args) {
  dispatch_all(args.in(0).dtype, args, [&]<class T>() {
    const T* x = args.in(0).as<T>();
    T* y = args.output.as<T>();
    const Shape* shapes[1] = {&args.in(0).shape};
    BroadcastWalker<1> w(args.output.shape, shapes);
    parallel_range(args, w.rows, w.row_len, [&](int64_t r0, int64_t r1) {
      int64_t off[1];
      for (int64_t r = r0; r < r1; ++r) {
        w.row_offsets(r, off);
        T* ro = y + r * w.row_len;
        for (int64_t j = 0; j < w.row_len; ++j) ro[j] = x[off[0] + j * w.inner[0]];
      }
    });
  });
}

void argmax_kernel(const KernelArgs& args) {
  const Shape& in = args.in(0).shape;
  const int axis = kernel_axis(args, args.attrs->get_int("axis"), in.rank());
  const kernels::AxisView v = kernels::axis_view(in, axis);
  const int64_t outer = v.outer, n = v.n, inner = v.inner;
  if (n == 0) throw ValueError(args.where() + ": argmax over an empty axis");
  dispatch_numeric(args.in(0).dtype, args, [&]<class T>() {
    const T* x = args.in(0).as<T>();
    int64_t* y = args.output.as<int64_t>();
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        const T* p = x + o * n * inner + i;
        int64_t best = 0;
        for (int64_t j = 1; j < n; ++j)
          if (p[j * inner] > p[best * inner]) best = j;
        y[o * inner + i] = best;
      }
  });
}

void reduced_size_kernel(const KernelArgs& args) {
  const double count = kernels::reduced_size(args, args.in(0).shape);
  dispatch_float(args.output.dtype, args,
                 [&]<class T>() { *args.output.as<T>() = static_cast<T>(count); });
}

}  // namespace

void register_reduce_kernels(Backend& b) {
  b.register_kernel(op::ReduceSum, reduce_kernel<Reduction::Sum>, decode_axes);
  b.register_kernel(op::ReduceMean, reduce_kernel<Reduction::Sum, true>, decode_axes);
  b.register_kernel(op::ReduceMax, reduce_kernel<Reduction::Max>, decode_axes);
  b.register_kernel(op::ReduceMin, reduce_kernel<Reduction::Min>, decode_axes);
  b.register_kernel(op::ReduceToShapeOf, reduce_to_shape_of_kernel);
  b.register_kernel(op::BroadcastLike, broadcast_kernel);
  b.register_kernel(op::BroadcastTo, broadcast_kernel);
  b.register_kernel(op::ArgMax, argmax_kernel);
  b.register_kernel(op::ReducedSize, reduced_size_kernel);
}

}  // namespace nabla::cpu
