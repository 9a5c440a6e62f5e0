// The CUDA backend: one per GPU, created on first use of Device::CUDA(i) through the factory the
// plugin registers when framework/backend/backend.cc loads libnabla_cuda.so.
#include <cstdlib>
#include <cstring>
#include <new>

#include "framework/backend/backend.h"
#include "framework/core/errors.h"
#include "framework/cuda/allocator.h"
#include "framework/cuda/context.h"
#include "framework/cuda/device_error.h"
#include "framework/cuda/kernels.h"

#define NABLA_CUDA_EXPORT extern "C"

namespace nabla::cuda {
namespace {

bool env_flag(const char* name) {
  const char* v = std::getenv(name);
  return v && *v && std::strcmp(v, "0") != 0;
}

// The CUDA kernels by op, filled once without touching a GPU: a backend copies it when it starts,
// and nabla_cuda_kernel_ops() lists it, so a test checks that every op has a CUDA kernel on a
// machine with no GPU.
class KernelTable : public Backend {
 public:
  KernelTable() {
    register_elementwise_kernels(*this);
    register_activation_kernels(*this);
    register_misc_kernels(*this);
    register_matmul_kernels(*this);
    register_reduce_kernels(*this);
    register_array_kernels(*this);
    register_gather_kernels(*this);
    register_softmax_kernels(*this);
    register_xent_kernels(*this);
    register_random_kernels(*this);
    register_state_kernels(*this);
    register_collective_kernels(*this);
  }
  Device device() const override { return Device::CUDA(0); }
  void* allocate(size_t, const std::string&) override { throw StateError("a kernel table"); }
  void deallocate(void*, size_t) override {}
  void copy_from_host(void*, const void*, size_t) override {}
  void copy_to_host(void*, const void*, size_t) override {}
  void copy_within(void*, const void*, size_t) override {}
  void* kernel_context() override { return nullptr; }
  std::unique_ptr<StepRunner> make_step_runner() override { return nullptr; }
};

const Backend& kernel_table() {
  static const KernelTable table;
  return table;
}

// cuBLAS's workspace, set explicitly so that a captured gemm never allocates.
constexpr size_t kCublasWorkspace = size_t{32} << 20;

class CudaBackend : public Backend {
 public:
  explicit CudaBackend(int index) : allocator_(index) {
    ctx_.device = index;
    use_device(index);
    NABLA_CUDA_CHECK(cudaStreamCreateWithFlags(&ctx_.stream, cudaStreamNonBlocking), nullptr);
    NABLA_CUDA_CHECK(cublasCreate(&ctx_.cublas), nullptr);
    NABLA_CUDA_CHECK(cublasSetStream(ctx_.cublas, ctx_.stream), nullptr);
    // Float32 products in full float32 unless asked: TF32 keeps 10 mantissa bits, far from the
    // CPU's results. NABLA_CUDA_TF32=1 trades that for tensor-core speed.
    NABLA_CUDA_CHECK(
        cublasSetMathMode(ctx_.cublas, env_flag("NABLA_CUDA_TF32") ? CUBLAS_TF32_TENSOR_OP_MATH
                                                                   : CUBLAS_DEFAULT_MATH),
        nullptr);
    void* workspace = allocator_.allocate(kCublasWorkspace, "cuBLAS's workspace");
    NABLA_CUDA_CHECK(cublasSetWorkspace(ctx_.cublas, workspace, kCublasWorkspace), nullptr);
    NABLA_CUDA_CHECK(cudnnCreate(&ctx_.cudnn), nullptr);
    NABLA_CUDA_CHECK(cudnnSetStream(ctx_.cudnn, ctx_.stream), nullptr);
    void* record = nullptr;
    NABLA_CUDA_CHECK(cudaHostAlloc(&record, sizeof(DeviceErrorRecord), cudaHostAllocMapped),
                     nullptr);
    ctx_.errors = new (record) DeviceErrorRecord();  // kernels use it through unified addressing

    const Backend& table = kernel_table();
    for (OpId op : table.kernel_ops()) register_kernel(op, table.kernel(op));
  }

  Device device() const override { return Device::CUDA(ctx_.device); }

  void* allocate(size_t bytes, const std::string& what) override {
    return allocator_.allocate(bytes, what);
  }
  void deallocate(void* data, size_t) override { allocator_.deallocate(data); }

  // Host memory here is pageable: the copy returns once the source is staged, so the caller may
  // reuse it at once, and the stream orders the copy before later kernels.
  void copy_from_host(void* dst, const void* src, size_t bytes) override {
    use_device(ctx_.device);
    NABLA_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyHostToDevice, ctx_.stream),
                     nullptr);
  }
  void copy_to_host(void* dst, const void* src, size_t bytes) override {
    use_device(ctx_.device);
    NABLA_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToHost, ctx_.stream),
                     nullptr);
    synchronize();  // the caller reads dst next
  }
  void copy_within(void* dst, const void* src, size_t bytes) override {
    if (dst == src) return;
    use_device(ctx_.device);
    NABLA_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, ctx_.stream),
                     nullptr);
  }
  void synchronize() override {
    use_device(ctx_.device);
    NABLA_CUDA_CHECK(cudaStreamSynchronize(ctx_.stream), nullptr);
    throw_reported_error(ctx_.errors);
  }
  void* kernel_context() override { return &ctx_; }
  std::unique_ptr<StepRunner> make_step_runner() override { return make_graph_runner(ctx_); }

  CachingAllocator& allocator() { return allocator_; }

 private:
  Context ctx_;
  CachingAllocator allocator_;
};

CudaBackend* backends[64] = {};

// Throws StateError where the GPU is not there: no driver, no device, or not that many.
Backend* make_backend(int index) {
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) {
    cudaGetLastError();
    throw StateError("device cuda:" + std::to_string(index) +
                     " is not available: " + cudaGetErrorString(status));
  }
  if (index < 0 || index >= count || index >= 64)
    throw StateError("device cuda:" + std::to_string(index) +
                     " is not available: this machine has " + std::to_string(count) +
                     " CUDA device" + (count == 1 ? "" : "s"));
  // Never destroyed: tensors in static storage may release memory after main returns.
  backends[index] = new CudaBackend(index);
  return backends[index];
}

}  // namespace
}  // namespace nabla::cuda

/// Called by framework/backend/backend.cc right after it loads this plugin.
NABLA_CUDA_EXPORT void nabla_cuda_plugin_init() {
  nabla::register_backend(nabla::DeviceType::CUDA, nabla::cuda::make_backend);
}

/// The ops with a CUDA kernel: writes up to `capacity` op ids into `ids` and returns how many
/// there are. Needs no GPU (tests check the backend's completeness with it).
NABLA_CUDA_EXPORT int nabla_cuda_kernel_ops(uint16_t* ids, int capacity) {
  const std::vector<nabla::OpId> ops = nabla::cuda::kernel_table().kernel_ops();
  for (int i = 0; i < capacity && i < static_cast<int>(ops.size()); ++i) ids[i] = ops[i].index();
  return static_cast<int>(ops.size());
}

/// How many times the allocator of GPU `index` called cudaMalloc (0 before its first use); for
/// tests and benchmarks checking that the steady state allocates nothing.
NABLA_CUDA_EXPORT uint64_t nabla_cuda_device_allocations(int index) {
  if (index < 0 || index >= 64 || !nabla::cuda::backends[index]) return 0;
  return nabla::cuda::backends[index]->allocator().device_allocations();
}
