// CPU kernels of softmax, log-softmax, their gradients and the fused sparse cross-entropy.
#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <limits>

#include "framework/backend/backend.h"
#include "framework/cpu/kernel_util.h"

namespace nabla::cpu {
namespace {

using kernels::AxisView;

// The "axis" attribute made non-negative for the input's rank (which a plan fixes).
void decode_axis(KernelArgs& args) {
  args.params.set(kernel_axis(args, args.attrs->get_int("axis", -1), args.in(0).shape.rank()));
}

AxisView axis_view(const KernelArgs& args, const Shape& s) {
  return kernels::axis_view(s, args.params.get<int>());
}

// Calls fn(x_line, y_line, stride) for every line along the axis.
template <class F>
void for_each_line(const KernelArgs& args, const AxisView& v, F&& fn) {
  parallel_range(args, v.outer * v.inner, v.n * 4, [&](int64_t lo, int64_t hi) {
    for (int64_t l = lo; l < hi; ++l) {
      const int64_t o = l / v.inner, i = l % v.inner;
      fn(o * v.n * v.inner + i, v.inner);
    }
  });
}

template <bool Log>
void softmax_kernel(const KernelArgs& args) {
  const AxisView v = axis_view(args, args.in(0).shape);
  dispatch_float(args.in(0).dtype, args, [&]<class T>() {
    const T* x = args.in(0).as<T>();
    T* y = args.output.as<T>();
    for_each_line(args, v, [&](int64_t base, int64_t st) {
      T m = -std::numeric_limits<T>::infinity();
      for (int64_t j = 0; j < v.n; ++j) m = std::max(m, x[base + j * st]);
      T sum = 0;
      for (int64_t j = 0; j < v.n; ++j) {
        const T e = std::exp(x[base + j * st] - m);
        if (!Log) y[base + j * st] = e;
        sum += e;
      }
      if (Log) {
        const T lse = m + std::log(sum);
        for (int64_t j = 0; j < v.n; ++j) y[base + j * st] = x[base + j * st] - lse;
      } else {
        const T inv = T(1) / sum;
        for (int64_t j = 0; j < v.n; ++j) y[base + j * st] *= inv;
      }
    });
  });
}

template <bool Log>
void softmax_grad_kernel(const KernelArgs& args) {
  const AxisView v = axis_view(args, args.in(0).shape);
  dispatch_float(args.in(0).dtype, args, [&]<class T>() {
    const T* dy = args.in(0).as<T>();
    const T* y = args.in(1).as<T>();
    T* dx = args.output.as<T>();
    for_each_line(args, v, [&](int64_t base, int64_t st) {
      T s = 0;
      for (int64_t j = 0; j < v.n; ++j)
        s += Log ? dy[base + j * st] : dy[base + j * st] * y[base + j * st];
      for (int64_t j = 0; j < v.n; ++j) {
        const int64_t k = base + j * st;
        dx[k] = Log ? dy[k] - std::exp(y[k]) * s : y[k] * (dy[k] - s);
      }
    });
  });
}

template <class I>
int64_t checked_label(const KernelArgs& args, const I* labels, int64_t row, int64_t classes) {
  const int64_t label = static_cast<int64_t>(labels[row]);
  if (label < 0 || label >= classes)
    throw ValueError(args.where() + ": label " + std::to_string(label) + " at row " +
                     std::to_string(row) + " is outside [0, " + std::to_string(classes) + ")");
  return label;
}

// The largest of z[0, n), in four independent chains: one chain waits on each max in turn.
template <class T>
T row_max(const T* z, int64_t n) {
  constexpr T kLowest = -std::numeric_limits<T>::infinity();
  T m[4] = {kLowest, kLowest, kLowest, kLowest};
  int64_t j = 0;
  for (; j + 4 <= n; j += 4)
    for (int c = 0; c < 4; ++c) m[c] = std::max(m[c], z[j + c]);
  for (; j < n; ++j) m[0] = std::max(m[0], z[j]);
  return std::max(std::max(m[0], m[1]), std::max(m[2], m[3]));
}

// Calls row(r, z, label, m, e, sum) for every row r of the logits (input 1) with its checked
// label (input 0), where m is the row's largest logit, e[j] = exp(z[j] - m) and sum = Σ e. Both
// sparse cross-entropy kernels are this loop with a different row body. The exponentials of a
// block of rows are taken in one pass of Eigen's vectorized exp (the rows are short: 10 classes
// would leave most of a vector idle), into `exps` (rows x classes, the gradient's output) when
// given, else into a buffer on the stack; e is null only for a row wider than that buffer when no
// `exps` is given.
template <class T, class I, class Row>
void for_each_logit_row(const KernelArgs& args, T* exps, Row&& row) {
  using Arr = Eigen::Array<T, Eigen::Dynamic, 1>;
  const int64_t rows = args.in(1).shape[0], classes = args.in(1).shape[1];
  const I* labels = args.in(0).as<I>();
  const T* logits = args.in(1).as<T>();
  parallel_range(args, rows, classes * 8, [&](int64_t r0, int64_t r1) {
    constexpr int64_t kBlock = 1024;  // exponentials per pass (with the maxima 8 KB of floats)
    T buffer[kBlock], max[kBlock];
    const int64_t block_rows = std::max<int64_t>(1, kBlock / std::max<int64_t>(1, classes));
    for (int64_t b0 = r0; b0 < r1; b0 += block_rows) {
      const int64_t b1 = std::min(r1, b0 + block_rows), n = (b1 - b0) * classes;
      for (int64_t r = b0; r < b1; ++r) {
        const T* z = logits + r * classes;
        max[r - b0] = row_max(z, classes);
      }
      T* e = exps ? exps + b0 * classes : n <= kBlock ? buffer : nullptr;
      if (e) {
        for (int64_t r = b0; r < b1; ++r)
          for (int64_t j = 0; j < classes; ++j)
            e[(r - b0) * classes + j] = logits[r * classes + j] - max[r - b0];
        Eigen::Map<Arr> all(e, n);
        all = all.exp();
      }
      for (int64_t r = b0; r < b1; ++r) {
        const T* z = logits + r * classes;
        const int64_t label = checked_label(args, labels, r, classes);
        if (e) {
          T* er = e + (r - b0) * classes;
          row(r, z, label, max[r - b0], er, Eigen::Map<const Arr>(er, classes).sum());
          continue;
        }
        T sum = 0;  // one row wider than the buffer: its exponentials a piece at a time
        for (int64_t j0 = 0; j0 < classes; j0 += kBlock) {
          const int64_t len = std::min(kBlock, classes - j0);
          sum += (Eigen::Map<const Arr>(z + j0, len) - max[r - b0]).exp().sum();
        }
        row(r, z, label, max[r - b0], static_cast<T*>(nullptr), sum);
      }
    }
  });
}

// Dispatches on the label type (int32/int64) and the logits' float type.
template <class F>
void dispatch_xent(const KernelArgs& args, F&& body) {
  dispatch_numeric(args.in(0).dtype, args, [&]<class I>() {
    if constexpr (std::is_integral_v<I>) {
      dispatch_float(args.in(1).dtype, args, [&]<class T>() { body.template operator()<T, I>(); });
    } else {
      throw TypeError(args.where() + ": labels must be int32 or int64");
    }
  });
}

// loss[r] = logsumexp(logits[r]) - logits[r, label[r]]
void sparse_xent_kernel(const KernelArgs& args) {
  dispatch_xent(args, [&]<class T, class I>() {
    T* loss = args.output.as<T>();
    for_each_logit_row<T, I>(args, static_cast<T*>(nullptr),
                             [&](int64_t r, const T* z, int64_t label, T m, const T*, T sum) {
                               loss[r] = m + std::log(sum) - z[label];
                             });
  });
}

// dlogits[r] = (softmax(logits[r]) - one_hot(label[r])) * dloss[r]
void sparse_xent_grad_kernel(const KernelArgs& args) {
  dispatch_xent(args, [&]<class T, class I>() {
    const T* dloss = args.in(2).as<T>();
    const bool scalar_dloss = args.in(2).numel() == 1;
    T* out = args.output.as<T>();
    const int64_t classes = args.in(1).shape[1];
    for_each_logit_row<T, I>(args, out, [&](int64_t r, const T*, int64_t label, T, T* d, T sum) {
      const T g = dloss[scalar_dloss ? 0 : r];
      const T scale = g / sum;
      for (int64_t j = 0; j < classes; ++j) d[j] *= scale;
      d[label] -= g;
    });
  });
}

}  // namespace

void register_nn_kernels(Backend& b) {
  b.register_kernel(op::Softmax, softmax_kernel<false>, decode_axis);
  b.register_kernel(op::LogSoftmax, softmax_kernel<true>, decode_axis);
  b.register_kernel(op::SoftmaxGrad, softmax_grad_kernel<false>, decode_axis);
  b.register_kernel(op::LogSoftmaxGrad, softmax_grad_kernel<true>, decode_axis);
  b.register_kernel(op::SparseSoftmaxCrossEntropyWithLogits, sparse_xent_kernel);
  b.register_kernel(op::SparseSoftmaxCrossEntropyGrad, sparse_xent_grad_kernel);
}

}  // namespace nabla::cpu
