// A backend owns memory and kernels for one kind of device.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "framework/backend/kernel.h"
#include "framework/core/device.h"
#include "framework/core/device_memory.h"
#include "framework/ops/op_table.h"

namespace nabla {

/// Runs a plan's steps on a backend. The CPU one calls each step's kernel in order; the CUDA one
/// captures the steps into a CUDA Graph once and replays it.
class StepRunner {
 public:
  virtual ~StepRunner() = default;
  /// Executes all steps once, in order, and waits for them to finish. Where beside_next[i] is
  /// set, steps i and i + 1 are independent and may run at the same time.
  virtual void run(std::vector<KernelArgs>& steps, const std::vector<KernelFn>& kernels,
                   const std::vector<uint8_t>& beside_next) = 0;
  /// True when run() reads the steps' buffer addresses afresh every time, so a plan may point a
  /// step at other memory between runs (Plan::read_feed_from); false for a runner that replays
  /// launches recorded with the addresses of the time.
  virtual bool follows_addresses() const { return true; }
};

/// Memory and kernels of one device kind: a table of kernels by OpId, filled by generic
/// executors over the op table and by library-backed kernels. Backends are looked up with
/// backend_for(device) and register themselves: the CPU backend when libnabla loads, the CUDA one
/// when libnabla_cuda.so loads on first use of a CUDA device, so nothing on the CPU path needs
/// CUDA at run time.
class Backend : public DeviceMemory {
 public:
  virtual Device device() const = 0;
  /// Waits for queued work to finish.
  virtual void synchronize() {}
  /// The per-backend context handed to kernels (thread pool, stream and library handles).
  virtual void* kernel_context() = 0;
  /// A runner for the steps of a plan.
  virtual std::unique_ptr<StepRunner> make_step_runner() = 0;

  /// The kernel of `op`; throws UnimplementedError naming the op and the device.
  KernelFn kernel(OpId op) const;
  /// True when `op` has a kernel here.
  bool has_kernel(OpId op) const;
  /// Sets the kernel of `op` and, if it has one, the function that decodes its attributes
  /// (a later registration replaces an earlier one).
  void register_kernel(OpId op, KernelFn fn, KernelDecodeFn decode = nullptr);
  /// Completes `args` for its kernel once its op, attrs and tensors are set: fills args.params
  /// where the kernel of args.op decodes its attributes. Every caller of a kernel calls it
  /// first (a plan once per step, eager execution once per call).
  void prepare(KernelArgs& args) const;
  /// Every op with a kernel here.
  std::vector<OpId> kernel_ops() const;

 private:
  std::vector<KernelFn> kernels_;         // by OpId index
  std::vector<KernelDecodeFn> decoders_;  // by OpId index; null where a kernel reads attrs itself
};

/// The backend of `device`. Throws UnimplementedError when the build has no such backend and
/// StateError when the device is absent (no GPU or driver).
Backend& backend_for(Device device);

/// True when `device` can be used here (CUDA: the backend loads and sees that GPU).
bool device_available(Device device, std::string* reason = nullptr);

/// Installs the backend of a device type. The CPU backend calls it when libnabla loads, the CUDA
/// plugin when it is loaded.
void register_backend(DeviceType type, std::function<Backend*(int index)> factory);

}  // namespace nabla
