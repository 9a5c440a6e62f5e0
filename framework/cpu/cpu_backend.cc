// The CPU backend: aligned host memory, the thread pool, and the CPU kernels.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <vector>

#include "framework/backend/backend.h"
#include "framework/core/errors.h"
#include "framework/runtime/thread_pool.h"

namespace nabla {

namespace cpu {
void register_elementwise_kernels(Backend& b);
void register_activation_kernels(Backend& b);
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

// With NABLA_PROFILE=1, the time of every kernel call is added up per op type and printed to
// standard error when the process exits: where a training step spends its time.
class OpProfile {
 public:
  static OpProfile* get() {
    static OpProfile* profile = std::getenv("NABLA_PROFILE") ? new OpProfile() : nullptr;
    return profile;
  }
  void add(const char* op, double seconds) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto& e = totals_[op];
    e.first += seconds;
    ++e.second;
  }
  ~OpProfile() = default;
  static void print() {
    OpProfile* p = get();
    if (!p) return;
    std::vector<std::pair<std::string, std::pair<double, int64_t>>> rows(p->totals_.begin(),
                                                                         p->totals_.end());
    std::sort(rows.begin(), rows.end(),
              [](auto& a, auto& b) { return a.second.first > b.second.first; });
    double total = 0;
    for (auto& r : rows) total += r.second.first;
    std::fprintf(stderr, "\nnabla op profile (NABLA_PROFILE): %.3f s in kernels\n", total);
    for (auto& [op, t] : rows)
      std::fprintf(stderr, "  %-36s %9.3f s %5.1f%% %10lld calls %9.2f us/call\n", op.c_str(),
                   t.first, 100 * t.first / total, static_cast<long long>(t.second),
                   1e6 * t.first / t.second);
  }

 private:
  OpProfile() { std::atexit(print); }
  std::mutex mutex_;
  std::map<std::string, std::pair<double, int64_t>> totals_;
};

class CpuStepRunner : public StepRunner {
 public:
  void run(std::vector<KernelArgs>& steps, const std::vector<KernelFn>& kernels) override {
    if (OpProfile* profile = OpProfile::get()) {
      for (size_t i = 0; i < steps.size(); ++i) {
        const auto start = std::chrono::steady_clock::now();
        kernels[i](steps[i]);
        profile->add(
            steps[i].op,
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      }
      return;
    }
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
  void copy_from_host(void* dst, const void* src, size_t bytes) override {
    std::memcpy(dst, src, bytes);
  }
  void copy_to_host(void* dst, const void* src, size_t bytes) override {
    std::memcpy(dst, src, bytes);
  }
  void copy_within(void* dst, const void* src, size_t bytes) override {
    if (dst != src) std::memmove(dst, src, bytes);
  }
  void* kernel_context() override { return &ThreadPool::global(); }
  std::unique_ptr<StepRunner> make_step_runner() override {
    return std::make_unique<CpuStepRunner>();
  }
};

}  // namespace

Backend& cpu_backend() {
  static CpuBackend backend;
  static std::once_flag registered;
  std::call_once(registered, [] {
    cpu::register_elementwise_kernels(backend);
    cpu::register_activation_kernels(backend);
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
