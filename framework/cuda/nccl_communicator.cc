// NCCL between the GPUs of a data-parallel job: one GPU per rank, collectives on a stream of
// their own, ordered against the device's compute stream with events so that the backward pass
// keeps running while buckets of gradients are reduced. Registered with framework/distributed
// when the plugin loads; built only where CMake finds NCCL (cmake/nccl.cmake).
#include <nccl.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "framework/backend/backend.h"
#include "framework/core/errors.h"
#include "framework/cuda/context.h"
#include "framework/distributed/device_communicator.h"
#include "framework/distributed/launch.h"

namespace nabla::cuda {
namespace {

using distributed::Communicator;
using distributed::Reduce;

ncclDataType_t nccl_type(DType dtype) {
  switch (dtype) {
    case DType::Float32:
      return ncclFloat32;
    case DType::Float64:
      return ncclFloat64;
    case DType::Int32:
      return ncclInt32;
    case DType::Int64:
      return ncclInt64;
    case DType::Bool:
      break;
  }
  throw TypeError("NCCL: no reduction for dtype " + std::string(dtype_name(dtype)));
}

class NcclCommunicator final : public distributed::DeviceCommunicator {
 public:
  NcclCommunicator(Communicator& host, Device device)
      : host_(host), device_(device), timeout_(distributed::collective_timeout_seconds()) {
    compute_ = static_cast<Context*>(backend_for(device).kernel_context());
    use_device(device.index());
    // Rank 0 draws the id and every rank learns it over MPI. From here on a failure on one rank
    // would leave the others waiting inside NCCL, so failures end the job (host_.abort).
    ncclUniqueId id{};
    if (host.rank() == 0) check(ncclGetUniqueId(&id), "ncclGetUniqueId");
    host.broadcast(&id, sizeof id, 0);
    check(ncclCommInitRank(&comm_, host.size(), id, host.rank()), "ncclCommInitRank");
    check(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking), "cudaStreamCreate");
    check(cudaEventCreateWithFlags(&queued_, cudaEventDisableTiming), "cudaEventCreate");
    check(cudaEventCreateWithFlags(&done_, cudaEventDisableTiming), "cudaEventCreate");
    int version = 0;
    ncclGetVersion(&version);
    name_ = "nccl " + std::to_string(version / 10000) + "." + std::to_string(version / 100 % 100) +
            "." + std::to_string(version % 100);
  }

  // Never destroyed (the registry outlives exit): tearing NCCL down after the CUDA runtime has
  // gone away at exit would crash, and the process is ending anyway.

  Device device() const override { return device_; }
  std::string name() const override { return name_; }

  void start_all_reduce(void* data, int64_t count, DType dtype, Reduce reduce) override {
    if (reduce == Reduce::Average && !is_floating(dtype))
      throw TypeError("NCCL all-reduce: Average of " + std::string(dtype_name(dtype)) + " values");
    const ncclDataType_t type = nccl_type(dtype);
    after_compute();
    check(ncclAllReduce(data, data, static_cast<size_t>(count), type,
                        reduce == Reduce::Average ? ncclAvg : ncclSum, comm_, stream_),
          "ncclAllReduce");
  }

  void start_broadcast(void* data, int64_t bytes, int root) override {
    after_compute();
    check(ncclBroadcast(data, data, static_cast<size_t>(bytes), ncclUint8, root, comm_, stream_),
          "ncclBroadcast");
  }

  void copy(void* dst, const void* src, size_t bytes) override {
    use_device(device_.index());
    check(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, compute_->stream),
          "cudaMemcpyAsync");
  }

  void join() override {
    use_device(device_.index());
    check(cudaEventRecord(done_, stream_), "cudaEventRecord");
    check(cudaStreamWaitEvent(compute_->stream, done_, 0), "cudaStreamWaitEvent");
  }

  // Polls instead of cudaEventSynchronize so that a peer that died (NCCL then waits forever) or
  // an asynchronous NCCL error is noticed, and the job ended, within the collective timeout.
  void synchronize() override {
    use_device(device_.index());
    check(cudaEventRecord(done_, stream_), "cudaEventRecord");
    using Clock = std::chrono::steady_clock;
    const Clock::time_point start = Clock::now();
    for (;;) {
      const cudaError_t state = cudaEventQuery(done_);
      if (state == cudaSuccess) return;
      if (state != cudaErrorNotReady) check(state, "cudaEventQuery");
      ncclResult_t async = ncclSuccess;
      ncclCommGetAsyncError(comm_, &async);
      if (async != ncclSuccess && async != ncclInProgress) check(async, "NCCL (asynchronous)");
      const double waited = std::chrono::duration<double>(Clock::now() - start).count();
      if (timeout_ > 0 && waited > timeout_) {
        ncclCommAbort(comm_);
        host_.abort("NCCL collectives on " + device_.to_string() + " did not complete within " +
                    std::to_string(static_cast<int>(timeout_)) +
                    " s (NABLA_COLLECTIVE_TIMEOUT): another rank failed or stopped");
      }
      std::this_thread::sleep_for(std::chrono::microseconds(waited > 1.0 ? 1000 : 20));
    }
  }

 private:
  // The next collective starts after everything queued so far on the compute stream.
  void after_compute() {
    use_device(device_.index());
    check(cudaEventRecord(queued_, compute_->stream), "cudaEventRecord");
    check(cudaStreamWaitEvent(stream_, queued_, 0), "cudaStreamWaitEvent");
  }

  void check(ncclResult_t status, const char* call) {
    if (status == ncclSuccess) return;
    host_.abort(std::string(call) + " on " + device_.to_string() +
                " failed: " + ncclGetErrorString(status) + " (" + ncclGetLastError(comm_) + ")");
  }
  void check(cudaError_t status, const char* call) {
    if (status == cudaSuccess) return;
    host_.abort(std::string(call) + " on " + device_.to_string() +
                " failed: " + cudaGetErrorString(status));
  }

  Communicator& host_;
  Device device_;
  double timeout_;
  Context* compute_ = nullptr;
  ncclComm_t comm_ = nullptr;
  cudaStream_t stream_ = nullptr;
  cudaEvent_t queued_ = nullptr;  // end of the compute work a collective waits for
  cudaEvent_t done_ = nullptr;    // end of the collectives the compute stream waits for
  std::string name_;
};

// Runs when the plugin is loaded: framework/distributed then finds NCCL for CUDA devices.
struct Registration {
  Registration() {
    distributed::register_device_communicator(
        DeviceType::CUDA, [](Communicator& host, Device device) {
          return std::unique_ptr<distributed::DeviceCommunicator>(
              std::make_unique<NcclCommunicator>(host, device));
        });
  }
} registration;

}  // namespace
}  // namespace nabla::cuda
