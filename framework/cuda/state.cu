// CUDA kernels that update variables in place: assignments and the fused optimizer updates.
//
// The rules are framework/ops/optimizer_math.h, shared with the CPU kernels (framework/cpu/
// state.cc). What the CPU computes once per step on the host from the learning rate, the
// iteration count and Nadam's momentum product is computed here by each thread from those values
// in device memory, so a captured CUDA Graph replays correctly as they change.
#include <cmath>

#include "framework/backend/backend.h"
#include "framework/cuda/launch.cuh"
#include "framework/ops/optimizer_math.h"

namespace nabla::cuda::state_ops {

using namespace optim;

enum class AssignMode { Set, Add, Sub };

template <class T, AssignMode M>
void assign(const KernelArgs& args) {
  T* var = args.in(0).as<T>();
  const T* value = args.in(1).as<T>();
  const int64_t n = args.in(0).numel();
  const bool scalar = kernels::assign_from_scalar(args);
  for_each(args, n, [=] __device__(int64_t i) {
    const T v = value[scalar ? 0 : i];
    if (M == AssignMode::Set) var[i] = v;
    if (M == AssignMode::Add) var[i] += v;
    if (M == AssignMode::Sub) var[i] -= v;
  });
}

template <AssignMode M>
void assign_kernel(const KernelArgs& args) {
  dispatch_numeric(args.in(0).dtype, args, [&]<class T>() { assign<T, M>(args); });
}

// The pointers of one update: the variable, its gradient, the step scalars in device memory (so
// a replayed CUDA Graph reads their current values) and the slots (nullptr where absent).
template <class T>
struct UpdatePointers {
  T* w;
  const T* g;
  const T* lr;
  const int64_t* iterations;
  const T* scalar_slot;  // the rule's scalar slot (Nadam's momentum product), or nullptr
  T* slot[kMaxSlots];
};

// Each thread computes the step's scalars (the rule's prepare(), as the CPU does once on the
// host), then updates its elements with the rule's apply().
template <class Rule, class T>
__global__ void update_kernel(int64_t n, UpdatePointers<T> p, typename Rule::Params params,
                              double weight_decay) {
  const StepInputs in{static_cast<double>(*p.lr), static_cast<double>(*p.iterations) + 1.0,
                      p.scalar_slot ? static_cast<double>(*p.scalar_slot) : 0.0};
  const auto sc = Rule::template prepare<T>(params, in);
  const T wd_lr = static_cast<T>(weight_decay * in.lr);
  const int64_t stride = static_cast<int64_t>(blockDim.x) * gridDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += stride) {
    if (wd_lr != T(0)) optim::weight_decay(p.w[i], wd_lr);
    Rule::template apply<T>(p.w[i], p.g[i], p.slot[0] ? p.slot[0] + i : nullptr,
                            p.slot[1] ? p.slot[1] + i : nullptr,
                            p.slot[2] ? p.slot[2] + i : nullptr, sc);
  }
}

// One kernel for every rule of optimizer_math.h.
template <class Rule>
void update_kernel_for(const KernelArgs& args) {
  dispatch_float(args.in(kVar).dtype, args, [&]<class T>() {
    const typename Rule::Params params(*args.attrs);
    UpdatePointers<T> p{args.in(kVar).as<T>(),
                        args.in(kGrad).as<T>(),
                        args.in(kLr).as<T>(),
                        args.in(kIterations).as<int64_t>(),
                        nullptr,
                        {}};
    for (int s = 0; s < Rule::kSlots; ++s) {
      if (args.num_inputs <= kSlot0 + s) continue;
      if (s == Rule::kScalarSlot) {
        p.scalar_slot = args.in(kSlot0 + s).as<T>();
      } else if (params.uses_slot(s)) {
        p.slot[s] = args.in(kSlot0 + s).as<T>();
      }
    }
    const int64_t n = args.in(kVar).numel();
    if (n == 0) return;
    update_kernel<Rule, T><<<blocks_for(n), kThreads, 0, context(args).stream>>>(
        n, p, params, args.attrs->get_float("weight_decay", 0.0));
    NABLA_CUDA_CHECK_LAUNCH(&args);
  });
}

}  // namespace nabla::cuda::state_ops

namespace nabla::cuda {

void register_state_kernels(Backend& b) {
  using namespace state_ops;
  b.register_kernel(op::NoOp, [](const KernelArgs&) {});
  b.register_kernel(op::Assign, assign_kernel<AssignMode::Set>);
  b.register_kernel(op::AssignAdd, assign_kernel<AssignMode::Add>);
  b.register_kernel(op::AssignSub, assign_kernel<AssignMode::Sub>);
#define NABLA_UPDATE_KERNEL(Name, Rule) b.register_kernel(op::Name, update_kernel_for<optim::Rule>);
  NABLA_OPTIMIZER_RULES(NABLA_UPDATE_KERNEL)
#undef NABLA_UPDATE_KERNEL
}

}  // namespace nabla::cuda
