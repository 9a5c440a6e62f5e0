// CPU kernels that move elements around: transpose, concat, slice, one_hot, gather.
#include <algorithm>
#include <cstring>

#include "framework/backend/backend.h"
#include "framework/cpu/kernel_util.h"

namespace nabla::cpu {
namespace {

using kernels::row_major_strides;

void transpose_kernel(const KernelArgs& args) {
  const TensorView& x = args.in(0);
  const Shape& out = args.output.shape;
  const int rank = out.rank();
  const auto& perm_attr = args.attrs->get_ints("perm");
  int64_t in_strides[Shape::kMaxRank], src_stride[Shape::kMaxRank];
  row_major_strides(x.shape, in_strides);
  for (int i = 0; i < rank; ++i)
    src_stride[i] =
        in_strides[perm_attr.empty() ? rank - 1 - i : kernel_axis(args, perm_attr[i], rank)];
  const size_t elem = dtype_size(x.dtype);
  const char* src = static_cast<const char*>(x.data);
  char* dst = static_cast<char*>(args.output.data);
  const int64_t total = out.numel();
  if (total == 0) return;
  const int64_t last = rank ? out[rank - 1] : 1;
  const int64_t rows = total / last;
  parallel_range(args, rows, last, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      int64_t off = 0, rem = r;
      for (int i = rank - 2; i >= 0; --i) off += (rem % out[i]) * src_stride[i], rem /= out[i];
      const int64_t step = rank ? src_stride[rank - 1] : 0;
      char* d = dst + r * last * elem;
      for (int64_t j = 0; j < last; ++j)
        std::memcpy(d + j * elem, src + (off + j * step) * elem, elem);
    }
  });
}

void concat_kernel(const KernelArgs& args) {
  const Shape& out = args.output.shape;
  const int axis = kernel_axis(args, args.attrs->get_int("axis"), out.rank());
  int64_t outer = 1;
  for (int i = 0; i < axis; ++i) outer *= out[i];
  const size_t elem = dtype_size(args.output.dtype);
  const int64_t out_chunk = outer ? out.numel() / outer : 0;
  char* dst = static_cast<char*>(args.output.data);
  int64_t offset = 0;
  for (int k = 0; k < args.num_inputs; ++k) {
    const TensorView& x = args.in(k);
    const int64_t chunk = outer ? x.numel() / outer : 0;
    const char* src = static_cast<const char*>(x.data);
    for (int64_t o = 0; o < outer; ++o)
      std::memcpy(dst + (o * out_chunk + offset) * elem, src + o * chunk * elem, chunk * elem);
    offset += chunk;
  }
}

// Copies the box of `big` starting at `begin` with the shape of `small`: into `small` when
// `to_small`, else from `small` into `big`.
void copy_box(const TensorView& big, const TensorView& small, const std::vector<int64_t>& begin,
              bool to_small) {
  const Shape& s = small.shape;
  const int rank = s.rank();
  const size_t elem = dtype_size(small.dtype);
  int64_t big_strides[Shape::kMaxRank];
  row_major_strides(big.shape, big_strides);
  const int64_t total = s.numel();
  if (total == 0) return;
  const int64_t last = rank ? s[rank - 1] : 1;
  char* b = static_cast<char*>(big.data);
  char* sm = static_cast<char*>(small.data);
  for (int64_t r = 0, rows = total / last; r < rows; ++r) {
    int64_t off = rank ? begin[rank - 1] : 0, rem = r;
    for (int i = rank - 2; i >= 0; --i) {
      off += (begin[i] + rem % s[i]) * big_strides[i];
      rem /= s[i];
    }
    char* pb = b + off * elem;
    char* ps = sm + r * last * elem;
    if (to_small) {
      std::memcpy(ps, pb, last * elem);
    } else {
      std::memcpy(pb, ps, last * elem);
    }
  }
}

void slice_kernel(const KernelArgs& args) {
  copy_box(args.in(0), args.output, args.attrs->get_ints("begin"), true);
}

void slice_grad_kernel(const KernelArgs& args) {
  std::memset(args.output.data, 0, args.output.numel() * dtype_size(args.output.dtype));
  copy_box(args.output, args.in(0), args.attrs->get_ints("begin"), false);
}

void one_hot_kernel(const KernelArgs& args) {
  const int64_t depth = args.attrs->get_int("depth");
  const double on = args.attrs->get_float("on_value"), off = args.attrs->get_float("off_value");
  const int64_t n = args.in(0).numel();
  dispatch_numeric(args.in(0).dtype, args, [&]<class I>() {
    if constexpr (std::is_integral_v<I>) {
      const I* idx = args.in(0).as<I>();
      dispatch_all(args.output.dtype, args, [&]<class T>() {
        T* y = args.output.as<T>();
        std::fill(y, y + n * depth, static_cast<T>(off));
        for (int64_t i = 0; i < n; ++i)
          if (idx[i] >= 0 && idx[i] < depth) y[i * depth + idx[i]] = static_cast<T>(on);
      });
    }
  });
}

// Out of line, so that the loops checking indices stay small enough to inline.
[[noreturn, gnu::noinline, gnu::cold]] void index_outside(const KernelArgs& args, int64_t row,
                                                          int64_t i, int64_t limit) {
  throw ValueError(args.where() + ": index " + std::to_string(row) + " at position " +
                   std::to_string(i) + " is outside [0, " + std::to_string(limit) + ")");
}

// for_each_index without a look-ahead.
struct NoLookAhead {
  void operator()(int64_t) const {}
};

// Calls fn(i, indices[i]) for i in [begin, end) (all of them when end < 0), checking each index.
// With a look-ahead, first also ahead(indices[i + 2]) when that index is valid, so that what fn
// will need two calls on can be asked for now.
template <class F, class Ahead = NoLookAhead>
void for_each_index(const KernelArgs& args, const TensorView& indices, int64_t limit, F&& fn,
                    int64_t begin = 0, int64_t end = -1, Ahead ahead = {}) {
  constexpr int64_t kDistance = 2;
  dispatch_numeric(indices.dtype, args, [&]<class I>() {
    if constexpr (std::is_integral_v<I>) {
      const I* idx = indices.as<I>();
      for (int64_t i = begin, n = end < 0 ? indices.numel() : end; i < n; ++i) {
        const int64_t row = static_cast<int64_t>(idx[i]);
        if (row < 0 || row >= limit) index_outside(args, row, i, limit);
        if constexpr (!std::is_same_v<Ahead, NoLookAhead>) {
          const int64_t next = i + kDistance < n ? static_cast<int64_t>(idx[i + kDistance]) : -1;
          if (next >= 0 && next < limit) ahead(next);
        }
        fn(i, row);
      }
    }
  });
}

void gather_kernel(const KernelArgs& args) {
  const TensorView& params = args.in(0);
  const int64_t rows = params.shape[0];
  const size_t row_bytes = rows ? params.numel() / rows * dtype_size(params.dtype) : 0;
  const char* src = static_cast<const char*>(params.data);
  char* dst = static_cast<char*>(args.output.data);
  auto copy = [dst, src, row_bytes](int64_t i, int64_t row) {
    std::memcpy(dst + i * row_bytes, src + row * row_bytes, row_bytes);
  };
  // A batch's rows come from all over a data set much larger than the caches: each row waits on
  // memory (and a page walk), ~1 us for a 3 KB row on the machines of bench/README.md, far more
  // than copying it. So the rows are split over the threads from a few dozen on, each thread
  // waiting on its own rows, and rows of a few cache lines or more ask for the row after next
  // while one is copied (for narrow rows, such as labels, asking would cost more than it saves).
  const int64_t cost = static_cast<int64_t>(row_bytes / 2) + 64;
  constexpr size_t kMinPrefetchBytes = 256;
  constexpr size_t kPrefetchBytes = 4096;  // the hardware prefetcher follows the rest of a row
  const size_t prefetch_bytes = std::min(row_bytes, kPrefetchBytes);
  auto prefetch = [src, row_bytes, prefetch_bytes](int64_t row) {
    for (size_t b = 0; b < prefetch_bytes; b += 64) __builtin_prefetch(src + row * row_bytes + b);
  };
  const int64_t n = args.in(1).numel();
  // Rows of one or two 4-byte values (labels, a 2-feature input) are copied with a fixed size,
  // which compiles to a move: a call to memcpy per row would leave only a few rows' cache misses
  // in flight at once.
  auto copy_fixed = [&]<size_t Bytes>() {
    parallel_range(args, n, cost, [&](int64_t lo, int64_t hi) {
      for_each_index(
          args, args.in(1), rows,
          [dst, src](int64_t i, int64_t row) {
            std::memcpy(dst + i * Bytes, src + row * Bytes, Bytes);
          },
          lo, hi);
    });
  };
  if (row_bytes == 4) return copy_fixed.template operator()<4>();
  if (row_bytes == 8) return copy_fixed.template operator()<8>();
  if (row_bytes < kMinPrefetchBytes) {
    parallel_range(args, n, cost, [&](int64_t lo, int64_t hi) {
      for_each_index(args, args.in(1), rows, copy, lo, hi);
    });
    return;
  }
  parallel_range(args, n, cost, [&](int64_t lo, int64_t hi) {
    for_each_index(args, args.in(1), rows, copy, lo, hi, prefetch);
  });
}

void gather_grad_kernel(const KernelArgs& args) {
  const TensorView& g = args.in(0);
  const int64_t rows = args.output.shape[0];
  const int64_t width = rows ? args.output.numel() / rows : 0;
  dispatch_float(g.dtype, args, [&]<class T>() {
    T* out = args.output.as<T>();
    const T* gv = g.as<T>();
    std::fill(out, out + args.output.numel(), T(0));
    for_each_index(args, args.in(1), rows, [&](int64_t i, int64_t row) {
      for (int64_t j = 0; j < width; ++j) out[row * width + j] += gv[i * width + j];
    });
  });
}

}  // namespace

void register_array_kernels(Backend& b) {
  b.register_kernel(op::Gather, gather_kernel);
  b.register_kernel(op::GatherGrad, gather_grad_kernel);
  b.register_kernel(op::Transpose, transpose_kernel);
  b.register_kernel(op::Concat, concat_kernel);
  b.register_kernel(op::Slice, slice_kernel);
  b.register_kernel(op::SliceGrad, slice_grad_kernel);
  b.register_kernel(op::OneHot, one_hot_kernel);
}

}  // namespace nabla::cpu
