// CPU kernels of softmax, log-softmax, their gradients and the fused sparse cross-entropy.
#include <cmath>
#include <limits>

#include "framework/backend/backend.h"
#include "framework/cpu/kernel_util.h"

namespace nabla::cpu {
namespace {

using kernels::AxisView;

AxisView axis_view(const KernelArgs& args, const Shape& s) {
  return kernels::axis_view(s, kernel_axis(args, args.attrs->get_int("axis", -1), s.rank()));
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

// Calls row(r, z, label, max, exp_into) for every row of the logits (input 1) with its checked
// label (input 0); exp_into(d) writes exp(z - max) into d and returns their sum. Both sparse
// cross-entropy kernels are this loop with a different row body.
template <class T, class I, class Row>
void for_each_logit_row(const KernelArgs& args, Row&& row) {
  const int64_t rows = args.in(1).shape[0], classes = args.in(1).shape[1];
  const I* labels = args.in(0).as<I>();
  const T* logits = args.in(1).as<T>();
  parallel_range(args, rows, classes * 8, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const T* z = logits + r * classes;
      T m = -std::numeric_limits<T>::infinity();
      for (int64_t j = 0; j < classes; ++j) m = std::max(m, z[j]);
      auto exp_into = [&](T* d) {
        T sum = 0;
        for (int64_t j = 0; j < classes; ++j) {
          const T e = std::exp(z[j] - m);
          if (d) d[j] = e;
          sum += e;
        }
        return sum;
      };
      row(r, z, checked_label(args, labels, r, classes), m, exp_into);
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
    for_each_logit_row<T, I>(args, [&](int64_t r, const T* z, int64_t label, T m, auto&& exp_into) {
      loss[r] = m + std::log(exp_into(static_cast<T*>(nullptr))) - z[label];
    });
  });
}

// dlogits[r] = (softmax(logits[r]) - one_hot(label[r])) * dloss[r]
void sparse_xent_grad_kernel(const KernelArgs& args) {
  const int64_t classes = args.in(1).shape[1];
  dispatch_xent(args, [&]<class T, class I>() {
    const T* dloss = args.in(2).as<T>();
    const bool scalar_dloss = args.in(2).numel() == 1;
    T* out = args.output.as<T>();
    for_each_logit_row<T, I>(args, [&](int64_t r, const T*, int64_t label, T, auto&& exp_into) {
      T* d = out + r * classes;
      const T g = dloss[scalar_dloss ? 0 : r];
      const T scale = g / exp_into(d);
      for (int64_t j = 0; j < classes; ++j) d[j] *= scale;
      d[label] -= g;
    });
  });
}

}  // namespace

void register_nn_kernels(Backend& b) {
  b.register_kernel(op::Softmax, softmax_kernel<false>);
  b.register_kernel(op::LogSoftmax, softmax_kernel<true>);
  b.register_kernel(op::SoftmaxGrad, softmax_grad_kernel<false>);
  b.register_kernel(op::LogSoftmaxGrad, softmax_grad_kernel<true>);
  b.register_kernel(op::SparseSoftmaxCrossEntropyWithLogits, sparse_xent_kernel);
  b.register_kernel(op::SparseSoftmaxCrossEntropyGrad, sparse_xent_grad_kernel);
}

}  // namespace nabla::cpu
