// CPU kernels that update variables in place: assignments and the fused optimizer updates.
#include <cmath>
#include <cstring>
#include <type_traits>

#include "framework/backend/backend.h"
#include "framework/cpu/kernel_util.h"
#include "framework/ops/optimizer_math.h"

namespace nabla::cpu {
namespace {

enum class AssignMode { Set, Add, Sub };

template <AssignMode M>
void assign_kernel(const KernelArgs& args) {
  dispatch_numeric(args.in(0).dtype, args, [&]<class T>() {
    T* var = args.in(0).as<T>();
    const T* value = args.in(1).as<T>();
    const int64_t n = args.in(0).numel();
    const bool scalar = kernels::assign_from_scalar(args);
    for (int64_t i = 0; i < n; ++i) {
      const T v = value[scalar ? 0 : i];
      if constexpr (M == AssignMode::Set) var[i] = v;
      if constexpr (M == AssignMode::Add) var[i] += v;
      if constexpr (M == AssignMode::Sub) var[i] -= v;
    }
  });
}

using namespace optim;

// Calls f(std::bool_constant<b>) for a run-time flag b.
template <class F>
void with_flag(bool b, F&& f) {
  if (b) {
    f(std::true_type{});
  } else {
    f(std::false_type{});
  }
}

// The update of elements [lo, hi) as a plain loop over __restrict pointers held in registers
// (not captured by reference, which makes the compiler reload them every iteration and give up
// vectorizing). Whether there is weight decay and which slots exist are template flags, so every
// loop is branch-free.
template <class Rule, bool Decay, bool S0, bool S1, bool S2, class T>
void update_range(T* __restrict w, const T* __restrict g, T* __restrict s0, T* __restrict s1,
                  T* __restrict s2, int64_t lo, int64_t hi,
                  const typename Rule::template Scalars<T> sc, T wd_lr) {
  for (int64_t i = lo; i < hi; ++i) {
    if constexpr (Decay) weight_decay(w[i], wd_lr);
    Rule::template apply<T>(w[i], g[i], S0 ? s0 + i : nullptr, S1 ? s1 + i : nullptr,
                            S2 ? s2 + i : nullptr, sc);
  }
}

// A rule's attributes and the weight decay, decoded once per plan step.
template <class Rule>
struct UpdateParams {
  typename Rule::Params rule;
  double weight_decay;
};

template <class Rule>
void decode_update(KernelArgs& args) {
  args.params.set(UpdateParams<Rule>{typename Rule::Params(*args.attrs),
                                     args.attrs->get_float("weight_decay", 0.0)});
}

// The step's scalars of a rule. Every variable of a step has the same attributes, learning rate
// and step number, so the scalars last computed on this thread are reused when their inputs are
// bitwise the same (Adam's bias corrections are two pow() calls; a model has a few variables per
// layer). A mismatch only in padding bytes is a miss, never a wrong hit.
template <class Rule, class T>
typename Rule::template Scalars<T> step_scalars(const typename Rule::Params& params,
                                                const StepInputs& in) {
  struct Memo {
    alignas(typename Rule::Params) unsigned char params[sizeof(typename Rule::Params)];
    StepInputs in;
    typename Rule::template Scalars<T> scalars;
    bool valid;
  };
  static thread_local Memo memo{};
  if (memo.valid && std::memcmp(memo.params, &params, sizeof params) == 0 &&
      std::memcmp(&memo.in, &in, sizeof in) == 0)
    return memo.scalars;
  memo.scalars = Rule::template prepare<T>(params, in);
  std::memcpy(memo.params, &params, sizeof params);
  memo.in = in;
  memo.valid = true;
  return memo.scalars;
}

// One kernel for every rule of optimizer_math.h: the step's scalars once on the host, then the
// elements on the pool.
template <class Rule>
void update_kernel(const KernelArgs& args) {
  const UpdateParams<Rule>& decoded = args.params.get<UpdateParams<Rule>>();
  dispatch_float(args.in(kVar).dtype, args, [&]<class T>() {
    const typename Rule::Params& params = decoded.rule;
    T* slot[kMaxSlots] = {};
    for (int s = 0; s < Rule::kSlots; ++s)
      if (args.num_inputs > kSlot0 + s && s != Rule::kScalarSlot && params.uses_slot(s))
        slot[s] = args.in(kSlot0 + s).as<T>();
    StepInputs in{static_cast<double>(*args.in(kLr).as<T>()),
                  static_cast<double>(*args.in(kIterations).as<int64_t>()) + 1.0, 0.0};
    if (Rule::kScalarSlot >= 0 && args.num_inputs > kSlot0 + Rule::kScalarSlot)
      in.scalar = static_cast<double>(*args.in(kSlot0 + Rule::kScalarSlot).template as<T>());
    const auto sc = step_scalars<Rule, T>(params, in);
    const T wd_lr = static_cast<T>(decoded.weight_decay * in.lr);
    T* w = args.in(kVar).as<T>();
    const T* g = args.in(kGrad).as<T>();
    with_flag(wd_lr != T(0), [&](auto decay) {
      with_flag(slot[0] != nullptr, [&](auto s0) {
        with_flag(slot[1] != nullptr, [&](auto s1) {
          with_flag(slot[2] != nullptr, [&](auto s2) {
            parallel_range(args, args.in(kVar).numel(), 4, [&](int64_t lo, int64_t hi) {
              update_range<Rule, decltype(decay)::value, decltype(s0)::value, decltype(s1)::value,
                           decltype(s2)::value>(w, g, slot[0], slot[1], slot[2], lo, hi, sc, wd_lr);
            });
          });
        });
      });
    });
  });
}

}  // namespace

void register_state_kernels(Backend& b) {
  b.register_kernel(op::NoOp, [](const KernelArgs&) {});
  b.register_kernel(op::Assign, assign_kernel<AssignMode::Set>);
  b.register_kernel(op::AssignAdd, assign_kernel<AssignMode::Add>);
  b.register_kernel(op::AssignSub, assign_kernel<AssignMode::Sub>);
#define NABLA_UPDATE_KERNEL(Name, Rule) \
  b.register_kernel(op::Name, update_kernel<Rule>, decode_update<Rule>);
  NABLA_OPTIMIZER_RULES(NABLA_UPDATE_KERNEL)
#undef NABLA_UPDATE_KERNEL
}

}  // namespace nabla::cpu
