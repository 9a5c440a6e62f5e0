// A backend owns memory and kernels for one kind of device.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "framework/backend/kernel.h"
#include "framework/core/device.h"

namespace nabla {

class Plan;

/// Runs a plan's steps on a backend. The CPU one calls each step's kernel in order; the CUDA one
/// captures the steps into a CUDA Graph once and replays it.
class StepRunner {
 public:
  virtual ~StepRunner() = default;
  /// Executes all steps once and waits for them to finish.
  virtual void run(std::vector<KernelArgs>& steps, const std::vector<KernelFn>& kernels) = 0;
};

/// Memory and kernels of one device kind. Backends are looked up with backend_for(device); the
/// CPU backend is always there, the CUDA one is loaded on first use (libnabla_cuda.so), so
/// nothing on the CPU path needs CUDA at run time.
class Backend {
 public:
  virtual ~Backend() = default;
  virtual Device device() const = 0;

  /// Allocates `bytes` (64-byte aligned); throws OutOfMemoryError naming `what` and the size.
  virtual void* allocate(size_t bytes, const std::string& what) = 0;
  virtual void deallocate(void* data, size_t bytes) = 0;
  /// Copies between host memory and this device, or within this device.
  virtual void copy_from_host(void* dst, const void* src, size_t bytes) = 0;
  virtual void copy_to_host(void* dst, const void* src, size_t bytes) = 0;
  virtual void copy_within(void* dst, const void* src, size_t bytes) = 0;
  /// Waits for queued work to finish.
  virtual void synchronize() {}
  /// The per-backend context handed to kernels (thread pool, stream and library handles).
  virtual void* kernel_context() = 0;
  /// A runner for the steps of a plan.
  virtual std::unique_ptr<StepRunner> make_step_runner() = 0;

  /// The kernel registered for `op`; throws UnimplementedError naming the op and device.
  KernelFn kernel(const std::string& op) const;
  /// True when `op` has a kernel here.
  bool has_kernel(const std::string& op) const;
  /// Registers the kernel for `op` (later registrations replace earlier ones).
  void register_kernel(const std::string& op, KernelFn fn) { kernels_[op] = fn; }
  /// Every op with a kernel here.
  std::vector<std::string> kernel_names() const;

 private:
  std::unordered_map<std::string, KernelFn> kernels_;
};

/// The backend of `device`. Throws UnimplementedError when the build has no such backend and
/// StateError when the device is absent (no GPU or driver).
Backend& backend_for(Device device);

/// True when `device` can be used here (CUDA: the backend loads and sees that GPU).
bool device_available(Device device, std::string* reason = nullptr);

/// Installs the backend for a device type (called by the CUDA plugin when it loads).
void register_backend(DeviceType type, std::function<Backend*(int index)> factory);

}  // namespace nabla
