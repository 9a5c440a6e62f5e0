// The CPU backend: aligned host memory, the thread pool, and the CPU kernels.
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <mutex>

#include "framework/backend/backend.h"
#include "framework/core/errors.h"
#include "framework/runtime/thread_pool.h"

namespace nabla {

namespace cpu {
void register_elementwise_kernels(Backend& b);
void register_matmul_kernels(Backend& b);
void register_reduce_kernels(Backend& b);
void register_array_kernels(Backend& b);
void register_nn_kernels(Backend& b);
void register_random_kernels(Backend& b);
void register_state_kernels(Backend& b);
}  // namespace cpu

namespace {

std::string human_bytes(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  int u = 0;
  while (bytes >= 1024 && u < 6) bytes /= 1024, ++u;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1f %s", bytes, units[u]);
  return buf;
}

class CpuStepRunner : public StepRunner {
 public:
  void run(std::vector<KernelArgs>& steps, const std::vector<KernelFn>& kernels) override {
    for (size_t i = 0; i < steps.size(); ++i) kernels[i](steps[i]);
  }
};

class CpuBackend : public Backend {
 public:
  Device device() const override { return Device::CPU; }

  void* allocate(size_t bytes, const std::string& what) override {
    constexpr size_t kAlign = 64;
    // Asking the kernel for more than the machine has "succeeds" (overcommit) and kills the
    // process later, so refuse it here with a message instead.
    static const double physical =
        static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGESIZE));
    if (static_cast<double>(bytes) > physical)
      throw OutOfMemoryError("out of memory: " + what + " needs " + human_bytes(bytes) +
                             " but this machine has " + human_bytes(physical) + " of memory");
    const size_t rounded = (std::max<size_t>(bytes, 1) + kAlign - 1) / kAlign * kAlign;
    void* p = std::aligned_alloc(kAlign, rounded);
    if (!p)
      throw OutOfMemoryError("out of memory: could not allocate " + human_bytes(bytes) + " for " +
                             what + " on cpu");
    return p;
  }
  void deallocate(void* data, size_t) override { std::free(data); }
  void copy_from_host(void* dst, const void* src, size_t bytes) override { std::memcpy(dst, src, bytes); }
  void copy_to_host(void* dst, const void* src, size_t bytes) override { std::memcpy(dst, src, bytes); }
  void copy_within(void* dst, const void* src, size_t bytes) override {
    if (dst != src) std::memmove(dst, src, bytes);
  }
  void* kernel_context() override { return &ThreadPool::global(); }
  std::unique_ptr<StepRunner> make_step_runner() override { return std::make_unique<CpuStepRunner>(); }
};

}  // namespace

Backend& cpu_backend() {
  static CpuBackend backend;
  static std::once_flag registered;
  std::call_once(registered, [] {
    cpu::register_elementwise_kernels(backend);
    cpu::register_matmul_kernels(backend);
    cpu::register_reduce_kernels(backend);
    cpu::register_array_kernels(backend);
    cpu::register_nn_kernels(backend);
    cpu::register_random_kernels(backend);
    cpu::register_state_kernels(backend);
  });
  return backend;
}

}  // namespace nabla
