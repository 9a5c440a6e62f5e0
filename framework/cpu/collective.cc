// CPU kernels of the collective ops (framework/ops/collective_ops.h): packing a gradient bucket
// and starting its all-reduce over MPI, taking the reduced gradients out of it, and the blocking
// sum of synchronized batch statistics. The ranks are reached through the step's collective
// group (framework/distributed/collective_group.h).
#include "framework/backend/backend.h"
#include "framework/cpu/kernel_util.h"
#include "framework/distributed/collective_group.h"

namespace nabla::cpu {
namespace {

distributed::CollectiveGroup& group_of(const KernelArgs& args) {
  return distributed::collective_group(args.attrs->get_int("group"), args.where());
}

// dst[i] = src[i] * factor over n elements (factor 1: a plain copy; 0: zeros, whatever src holds,
// so a rank without rows contributes nothing even where its gradients are NaN).
template <class T>
void copy_scaled(const KernelArgs& args, T* dst, const T* src, int64_t n, double factor) {
  if (factor == 1.0) {
    std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(T));
    return;
  }
  if (factor == 0.0) {
    std::memset(dst, 0, static_cast<size_t>(n) * sizeof(T));
    return;
  }
  const T f = static_cast<T>(factor);
  parallel_range(args, n, 1, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) dst[i] = src[i] * f;
  });
}

// Inputs (share, gradients...): the gradients back to back in the output (zeros for a share of
// 0), whose all-reduce then starts.
void all_reduce_start_kernel(const KernelArgs& args) {
  distributed::CollectiveGroup& group = group_of(args);
  const double share = *args.in(0).as<float>() == 0.f ? 0.0 : 1.0;
  dispatch_float(args.output.dtype, args, [&]<class T>() {
    T* out = args.output.as<T>();
    for (int i = 1; i < args.num_inputs; ++i) {
      copy_scaled(args, out, args.in(i).as<const T>(), args.in(i).numel(), share);
      out += args.in(i).numel();
    }
  });
  group.start(static_cast<int>(args.attrs->get_int("bucket")), args.output.data,
              args.output.numel(), args.output.dtype);
}

void all_reduce_unpack_kernel(const KernelArgs& args) {
  distributed::CollectiveGroup& group = group_of(args);
  group.wait(static_cast<int>(args.attrs->get_int("bucket")));
  const int64_t offset = args.attrs->get_int("offset");
  const double scale = args.attrs->get_float("scale");
  dispatch_float(args.output.dtype, args, [&]<class T>() {
    copy_scaled(args, args.output.as<T>(), args.in(0).as<const T>() + offset, args.output.numel(),
                scale);
  });
}

void all_reduce_sum_kernel(const KernelArgs& args) {
  distributed::CollectiveGroup& group = group_of(args);
  if (args.output.data != args.in(0).data)
    std::memcpy(args.output.data, args.in(0).data,
                static_cast<size_t>(args.output.numel()) * dtype_size(args.output.dtype));
  group.all_reduce_sum(args.output.data, args.output.numel(), args.output.dtype);
}

}  // namespace

void register_collective_kernels(Backend& b) {
  b.register_kernel(op::AllReduceStart, all_reduce_start_kernel);
  b.register_kernel(op::AllReduceUnpack, all_reduce_unpack_kernel);
  b.register_kernel(op::AllReduceSum, all_reduce_sum_kernel);
}

}  // namespace nabla::cpu
