// CUDA kernels of the fused sparse softmax cross-entropy and its gradient: one thread per row,
// the CPU kernel's arithmetic (framework/cpu/nn.cc) in the same order. A label outside
// [0, classes) is reported through the device error record and gives NaN.
#include <cmath>
#include <limits>
#include <type_traits>

#include "framework/backend/backend.h"
#include "framework/cuda/launch.cuh"

namespace nabla::cuda::xent_ops {

struct Rows {
  int64_t rows, classes;
  DeviceErrorRecord* errors;
  ErrorTag tag;

  // The label of row r, or -1 (reported) when out of range.
  template <class I>
  __device__ int64_t label(const I* labels, int64_t r) const {
    const int64_t label = static_cast<int64_t>(labels[r]);
    if (label >= 0 && label < classes) return label;
    report_error(errors, tag, DeviceErrorKind::LabelOutOfRange, label, r, classes);
    return -1;
  }
};

template <class T>
__device__ T row_max(const T* z, int64_t classes) {
  T m = -INFINITY;
  for (int64_t j = 0; j < classes; ++j) m = z[j] > m ? z[j] : m;
  return m;
}

// loss[r] = logsumexp(logits[r]) - logits[r, label[r]]
template <class I, class T>
void xent(const KernelArgs& args, Rows rs) {
  const I* labels = args.in(0).as<I>();
  const T* logits = args.in(1).as<T>();
  T* loss = args.output.as<T>();
  for_each(args, rs.rows, [=] __device__(int64_t r) {
    const T* z = logits + r * rs.classes;
    const int64_t label = rs.label(labels, r);
    const T m = row_max(z, rs.classes);
    T sum = 0;
    for (int64_t j = 0; j < rs.classes; ++j) sum += std::exp(z[j] - m);
    loss[r] = label < 0 ? T(NAN) : m + std::log(sum) - z[label];
  });
}

// dlogits[r] = (softmax(logits[r]) - one_hot(label[r])) * dloss[r]
template <class I, class T>
void xent_grad(const KernelArgs& args, Rows rs) {
  const I* labels = args.in(0).as<I>();
  const T* logits = args.in(1).as<T>();
  const T* dloss = args.in(2).as<T>();
  const bool scalar_dloss = args.in(2).numel() == 1;
  T* out = args.output.as<T>();
  for_each(args, rs.rows, [=] __device__(int64_t r) {
    const T* z = logits + r * rs.classes;
    T* d = out + r * rs.classes;
    const int64_t label = rs.label(labels, r);
    const T m = row_max(z, rs.classes);
    T sum = 0;
    for (int64_t j = 0; j < rs.classes; ++j) sum += (d[j] = std::exp(z[j] - m));
    const T g = dloss[scalar_dloss ? 0 : r];
    const T scale = g / sum;
    for (int64_t j = 0; j < rs.classes; ++j) d[j] = label < 0 ? T(NAN) : d[j] * scale;
    if (label >= 0) d[label] -= g;
  });
}

// Calls body.template operator()<I, T>() for the label and logit types.
template <class F>
void dispatch_labels_logits(const KernelArgs& args, F&& body) {
  dispatch_numeric(args.in(0).dtype, args, [&]<class I>() {
    if constexpr (std::is_integral_v<I>) {
      dispatch_float(args.in(1).dtype, args, [&]<class T>() { body.template operator()<I, T>(); });
    } else {
      throw TypeError(args.where() + ": labels must be int32 or int64, got " +
                      dtype_name(args.in(0).dtype));
    }
  });
}

Rows rows_of(const KernelArgs& args) {
  return {args.in(1).shape[0], args.in(1).shape[1], context(args).errors, error_tag(args)};
}

void xent_kernel(const KernelArgs& args) {
  const Rows rs = rows_of(args);
  dispatch_labels_logits(args, [&]<class I, class T>() { xent<I, T>(args, rs); });
}

void xent_grad_kernel(const KernelArgs& args) {
  const Rows rs = rows_of(args);
  dispatch_labels_logits(args, [&]<class I, class T>() { xent_grad<I, T>(args, rs); });
}

}  // namespace nabla::cuda::xent_ops

namespace nabla::cuda {

void register_xent_kernels(Backend& b) {
  b.register_kernel(op::SparseSoftmaxCrossEntropyWithLogits, xent_ops::xent_kernel);
  b.register_kernel(op::SparseSoftmaxCrossEntropyGrad, xent_ops::xent_grad_kernel);
}

}  // namespace nabla::cuda
