// The CPU backend: aligned host memory, the thread pool, and the CPU kernels.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "framework/backend/backend.h"
#include "framework/core/errors.h"
#include "framework/cpu/kernel_util.h"
#include "framework/runtime/thread_pool.h"

namespace nabla {

namespace cpu {
// The kernel families, one per file of this folder.
void register_elementwise_kernels(Backend& b);
void register_activation_kernels(Backend& b);
void register_matmul_kernels(Backend& b);
void register_reduce_kernels(Backend& b);
void register_array_kernels(Backend& b);
void register_nn_kernels(Backend& b);
void register_random_kernels(Backend& b);
void register_state_kernels(Backend& b);
void register_collective_kernels(Backend& b);
}  // namespace cpu

namespace {

using namespace cpu;

// With NABLA_PROFILE=1, the time of every kernel call is added up per op type and printed to
// standard error when the process exits: where a training step spends its time. With
// NABLA_PROFILE=shapes, per op type and input shapes instead (which of the products costs what).
class OpProfile {
 public:
  static OpProfile* get() {
    static OpProfile* profile = std::getenv("NABLA_PROFILE") ? new OpProfile() : nullptr;
    return profile;
  }
  /// What a step's time is added up under.
  std::string key(const KernelArgs& step) const {
    std::string k = step.op.name();
    if (!by_shapes_) return k;
    for (int i = 0; i < step.num_inputs; ++i) k += (i ? ", " : " ") + step.in(i).shape.to_string();
    return k;
  }
  void add(const std::string& op, double seconds) {
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
  OpProfile() : by_shapes_(std::string(std::getenv("NABLA_PROFILE")) == "shapes") {
    std::atexit(print);
  }
  const bool by_shapes_;
  std::mutex mutex_;
  std::map<std::string, std::pair<double, int64_t>> totals_;
};

// Runs a plan's steps in order on the calling thread, the pool helping inside each kernel. Two
// steps marked beside_next (independent products) run as one parallel region of two tasks: each
// product whole on one thread, which the library packs once instead of once per half.
class CpuStepRunner : public StepRunner {
 public:
  void run(std::vector<KernelArgs>& steps, const std::vector<KernelFn>& kernels,
           const std::vector<uint8_t>& beside_next) override {
    if (!prepared_) prepare(steps, beside_next);
    OpProfile* profile = OpProfile::get();
    if (!profile) {  // the training loop's path: nothing but the kernels
      const size_t n = steps.size();
      for (size_t i = 0; i < n; ++i) {
        if (beside_next[i]) {
          run_pair(steps, kernels, i++);
        } else {
          kernels[i](steps[i]);
        }
      }
      return;
    }
    for (size_t i = 0; i < steps.size(); ++i) {
      const auto start = Clock::now();
      const size_t count = beside_next[i] ? 2 : 1;
      if (count == 2) {
        run_pair(steps, kernels, i);
      } else {
        kernels[i](steps[i]);
      }
      // A pair's time is shared between its two steps.
      const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
      for (size_t j = i; j < i + count; ++j) profile->add(keys_[j], seconds / count);
      i += count - 1;
    }
  }

 private:
  using Clock = std::chrono::steady_clock;

  static void run_pair(std::vector<KernelArgs>& steps, const std::vector<KernelFn>& kernels,
                       size_t i) {
    static_cast<ThreadPool*>(steps[i].context)->run(2, [&](int64_t t) {
      kernels[i + t](steps[i + t]);
    });
  }

  // Steps that run beside another get a workspace of their own (StepWorkspace); with
  // NABLA_PROFILE, each step's name in the profile (a plan's shapes are fixed).
  void prepare(std::vector<KernelArgs>& steps, const std::vector<uint8_t>& beside_next) {
    if (const OpProfile* profile = OpProfile::get())
      for (const KernelArgs& step : steps) keys_.push_back(profile->key(step));
    for (size_t i = 0; i < steps.size(); ++i)
      if (beside_next[i])
        for (size_t j : {i, i + 1}) {
          workspaces_.push_back(std::make_unique<StepWorkspace>());
          steps[j].scratch = workspaces_.back().get();
        }
    prepared_ = true;
  }

  bool prepared_ = false;
  std::vector<std::unique_ptr<StepWorkspace>> workspaces_;
  std::vector<std::string> keys_;  // NABLA_PROFILE's name of each step
};

// Host memory is core's (host_memory()); the CPU backend adds the thread pool and the kernels.
class CpuBackend : public Backend {
 public:
  CpuBackend() {
    register_elementwise_kernels(*this);
    register_activation_kernels(*this);
    register_matmul_kernels(*this);
    register_reduce_kernels(*this);
    register_array_kernels(*this);
    register_nn_kernels(*this);
    register_random_kernels(*this);
    register_state_kernels(*this);
    register_collective_kernels(*this);
  }
  Device device() const override { return Device::CPU; }
  void* allocate(size_t bytes, const std::string& what) override {
    return host_memory().allocate(bytes, what);
  }
  void deallocate(void* data, size_t bytes) override { host_memory().deallocate(data, bytes); }
  void copy_from_host(void* dst, const void* src, size_t bytes) override {
    host_memory().copy_from_host(dst, src, bytes);
  }
  void copy_to_host(void* dst, const void* src, size_t bytes) override {
    host_memory().copy_to_host(dst, src, bytes);
  }
  void copy_within(void* dst, const void* src, size_t bytes) override {
    host_memory().copy_within(dst, src, bytes);
  }
  void* kernel_context() override { return &ThreadPool::global(); }
  std::unique_ptr<StepRunner> make_step_runner() override {
    return std::make_unique<CpuStepRunner>();
  }
};

// The CPU backend registers itself when libnabla loads.
const bool registered = [] {
  register_backend(DeviceType::CPU, [](int) -> Backend* {
    static CpuBackend backend;
    return &backend;
  });
  return true;
}();

}  // namespace
}  // namespace nabla
