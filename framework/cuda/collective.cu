// CUDA kernels of the collective ops (framework/ops/collective_ops.h). With NCCL in the build a
// bucket is packed on the compute stream and all-reduced on the device communicator's stream,
// which the compute stream joins only where the reduced gradients are taken out, so the rest of
// the backward pass runs while the bucket is on the wire, and a plan captured into a CUDA Graph
// captures the collectives too. Without NCCL the buffers go through host memory and MPI (the
// stream is synchronized for that, so such plans are not captured).
#include "framework/backend/backend.h"
#include "framework/cuda/kernels.h"
#include "framework/cuda/launch.cuh"
#include "framework/distributed/collective_group.h"

namespace nabla::cuda::collective_ops {

distributed::CollectiveGroup& group_of(const KernelArgs& args) {
  return distributed::collective_group(args.attrs->get_int("group"), args.where());
}

// dst[i] = src[i], or 0 where the share (read from device memory: a fed scalar) is 0: a rank
// without rows contributes nothing, even where its gradients are NaN.
template <class T>
void pack(const KernelArgs& args, T* dst, const T* src, int64_t n, const float* share) {
  for_each(args, n, [=] __device__(int64_t i) { dst[i] = *share == 0.f ? T(0) : src[i]; });
}

template <class T>
void scale_copy(const KernelArgs& args, T* dst, const T* src, int64_t n, double factor) {
  const T f = static_cast<T>(factor);
  for_each(args, n, [=] __device__(int64_t i) { dst[i] = src[i] * f; });
}

// The in-place sum of the output over the ranks: queued on NCCL's stream, or through host memory
// and MPI (synchronously) where there is no NCCL.
void sum_output(const KernelArgs& args, distributed::CollectiveGroup& group) {
  const int64_t n = args.output.numel();
  const size_t bytes = static_cast<size_t>(n) * dtype_size(args.output.dtype);
  if (distributed::DeviceCommunicator* dev = group.device_communicator()) {
    dev->start_all_reduce(args.output.data, n, args.output.dtype, distributed::Reduce::Sum);
    group.count_device_collective(static_cast<int64_t>(bytes));
    return;
  }
  Context& c = context(args);
  void* host = group.host_staging(bytes);
  NABLA_CUDA_CHECK(cudaMemcpyAsync(host, args.output.data, bytes, cudaMemcpyDeviceToHost, c.stream),
                   &args);
  NABLA_CUDA_CHECK(cudaStreamSynchronize(c.stream), &args);
  group.all_reduce_sum(host, n, args.output.dtype);
  NABLA_CUDA_CHECK(cudaMemcpyAsync(args.output.data, host, bytes, cudaMemcpyHostToDevice, c.stream),
                   &args);
}

void start_kernel(const KernelArgs& args) {
  distributed::CollectiveGroup& group = group_of(args);
  const float* share = args.in(0).as<const float>();
  dispatch_float(args.output.dtype, args, [&]<class T>() {
    T* out = args.output.as<T>();
    for (int i = 1; i < args.num_inputs; ++i) {
      pack<T>(args, out, args.in(i).as<const T>(), args.in(i).numel(), share);
      out += args.in(i).numel();
    }
  });
  sum_output(args, group);
}

void unpack_kernel(const KernelArgs& args) {
  distributed::CollectiveGroup& group = group_of(args);
  if (distributed::DeviceCommunicator* dev = group.device_communicator()) dev->join();
  const int64_t offset = args.attrs->get_int("offset");
  const double scale = args.attrs->get_float("scale");
  dispatch_float(args.output.dtype, args, [&]<class T>() {
    scale_copy<T>(args, args.output.as<T>(), args.in(0).as<const T>() + offset, args.output.numel(),
                  scale);
  });
}

void sum_kernel(const KernelArgs& args) {
  distributed::CollectiveGroup& group = group_of(args);
  Context& c = context(args);
  if (args.output.data != args.in(0).data)
    NABLA_CUDA_CHECK(
        cudaMemcpyAsync(args.output.data, args.in(0).data,
                        static_cast<size_t>(args.output.numel()) * dtype_size(args.output.dtype),
                        cudaMemcpyDeviceToDevice, c.stream),
        &args);
  sum_output(args, group);
  if (distributed::DeviceCommunicator* dev = group.device_communicator()) dev->join();
}

}  // namespace nabla::cuda::collective_ops

namespace nabla::cuda {

bool runs_collective_on_host(const KernelArgs& args) {
  if (args.op != op::AllReduceStart && args.op != op::AllReduceSum) return false;
  return collective_ops::group_of(args).device_communicator() == nullptr;
}

void register_collective_kernels(Backend& b) {
  b.register_kernel(op::AllReduceStart, collective_ops::start_kernel);
  b.register_kernel(op::AllReduceUnpack, collective_ops::unpack_kernel);
  b.register_kernel(op::AllReduceSum, collective_ops::sum_kernel);
}

}  // namespace nabla::cuda
