// What the CUDA kernels share: the per-device context (stream, cuBLAS and cuDNN handles) that
// KernelArgs::context points to, and the checks that turn a failed CUDA, cuBLAS or cuDNN call
// into a nabla Error naming the call, the library's message and the op.
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cudnn.h>

#include "framework/backend/kernel.h"

namespace nabla::cuda {

struct DeviceErrorRecord;  // device_error.h

/// The kernel context of one GPU. Every kernel, copy and library call of the device goes to its
/// one stream, so work is ordered without events and the caching allocator may hand a freed
/// block to the next request at once.
struct Context {
  int device = 0;
  cudaStream_t stream = nullptr;
  cublasHandle_t cublas = nullptr;
  cudnnHandle_t cudnn = nullptr;
  /// Where kernels report bad data (an index out of range) that they cannot throw for: mapped
  /// host memory, read after the stream is synchronized.
  DeviceErrorRecord* errors = nullptr;
};

/// Makes `device` current on this thread (cheap when it already is).
void use_device(int device);

/// The context of a kernel call, with its device made current.
inline Context& context(const KernelArgs& args) {
  Context& c = *static_cast<Context*>(args.context);
  use_device(c.device);
  return c;
}

/// Throws Error (OutOfMemoryError for an allocation failure) "<op>: <call> failed: <message>".
[[noreturn]] void throw_call_error(const char* call, const char* message, const KernelArgs* args,
                                   bool out_of_memory = false);

inline void check(cudaError_t status, const char* call, const KernelArgs* args) {
  if (status != cudaSuccess)
    throw_call_error(call, cudaGetErrorString(status), args, status == cudaErrorMemoryAllocation);
}
inline void check(cublasStatus_t status, const char* call, const KernelArgs* args) {
  if (status != CUBLAS_STATUS_SUCCESS)
    throw_call_error(call, cublasGetStatusString(status), args,
                     status == CUBLAS_STATUS_ALLOC_FAILED);
}
inline void check(cudnnStatus_t status, const char* call, const KernelArgs* args) {
  if (status != CUDNN_STATUS_SUCCESS)
    throw_call_error(call, cudnnGetErrorString(status), args,
                     status == CUDNN_STATUS_INTERNAL_ERROR_DEVICE_ALLOCATION_FAILED);
}

}  // namespace nabla::cuda

/// Checks a CUDA, cuBLAS or cuDNN call made for the kernel call `args` (nullptr outside kernels).
#define NABLA_CUDA_CHECK(call, args) ::nabla::cuda::check((call), #call, (args))
/// Checks the launch of the kernel just queued (a bad configuration, no code for this GPU).
#define NABLA_CUDA_CHECK_LAUNCH(args) \
  ::nabla::cuda::check(cudaGetLastError(), "kernel launch", (args))
