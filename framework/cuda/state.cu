// CUDA kernels that update variables in place: assignments and the fused optimizer updates.
//
// The per-element rules are framework/ops/optimizer_math.h, shared with the CPU kernels
// (framework/cpu/state.cc). What the CPU computes once per step on the host from the learning
// rate, the iteration count and Nadam's momentum product is computed here by each thread from
// those variables in device memory, so a captured CUDA Graph replays correctly as they change.
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

// What every update reads: the variable, its gradient, the step scalars (device pointers) and
// the slots (nullptr where the op was given fewer).
template <class T>
struct Common {
  T* w;
  const T* g;
  const T* lr;
  const int64_t* iterations;
  T* slot[3];
  double weight_decay;

  __device__ double learning_rate() const { return static_cast<double>(*lr); }
  __device__ double step() const { return static_cast<double>(*iterations) + 1.0; }
  __device__ T* slot_at(int s, int64_t i) const { return slot[s] ? slot[s] + i : nullptr; }
  // Decoupled weight decay before the update, as Keras (and the CPU kernel) apply it.
  __device__ void decay(int64_t i, T wd_lr) const {
    if (wd_lr != T(0)) optim::weight_decay(w[i], wd_lr);
  }
};

template <class T>
Common<T> common_of(const KernelArgs& args) {
  Common<T> c{args.in(kVar).as<T>(),
              args.in(kGrad).as<T>(),
              args.in(kLr).as<T>(),
              args.in(kIterations).as<int64_t>(),
              {},
              args.attrs->get_float("weight_decay", 0.0)};
  for (int s = 0; s < 3; ++s)
    c.slot[s] = args.num_inputs > kSlot0 + s ? args.in(kSlot0 + s).as<T>() : nullptr;
  return c;
}

// Each thread computes the step's scalars once (prepare), then updates its elements (apply).
template <class Rule>
__global__ void update_kernel(int64_t n, Rule rule) {
  const auto scalars = rule.prepare();
  const int64_t stride = static_cast<int64_t>(blockDim.x) * gridDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride)
    rule.apply(i, scalars);
}

template <template <class> class Rule>
void update_kernel_for(const KernelArgs& args) {
  dispatch_float(args.in(kVar).dtype, args, [&]<class T>() {
    const Rule<T> rule(common_of<T>(args), *args.attrs);
    const int64_t n = args.in(kVar).numel();
    if (n == 0) return;
    update_kernel<<<blocks_for(n), kThreads, 0, context(args).stream>>>(n, rule);
    NABLA_CUDA_CHECK_LAUNCH(&args);
  });
}

// The learning rate and up to three scalars of one optimizer, computed once per thread.
struct LrScalars {
  double lr, a, b, c;
};

template <class T>
struct SgdRule {
  Common<T> c;
  T momentum;
  bool nesterov;
  SgdRule(Common<T> common, const Attrs& at)
      : c(common),
        momentum(static_cast<T>(at.get_float("momentum", 0.0))),
        nesterov(at.get_bool("nesterov", false)) {}
  __device__ LrScalars prepare() const { return {c.learning_rate(), 0, 0, 0}; }
  __device__ void apply(int64_t i, const LrScalars& s) const {
    c.decay(i, static_cast<T>(c.weight_decay * s.lr));
    sgd<T>(c.w[i], c.slot_at(0, i), c.g[i], static_cast<T>(s.lr), momentum, nesterov);
  }
};

template <class T>
struct AdamRule {
  Common<T> c;
  double b1, b2;
  T eps;
  AdamRule(Common<T> common, const Attrs& at)
      : c(common),
        b1(at.get_float("beta_1")),
        b2(at.get_float("beta_2")),
        eps(static_cast<T>(at.get_float("epsilon"))) {}
  __device__ LrScalars prepare() const {
    const double lr = c.learning_rate(), t = c.step();
    return {lr, lr * std::sqrt(1 - std::pow(b2, t)) / (1 - std::pow(b1, t)), 0, 0};
  }
  __device__ void apply(int64_t i, const LrScalars& s) const {
    c.decay(i, static_cast<T>(c.weight_decay * s.lr));
    adam<T>(c.w[i], c.slot[0][i], c.slot[1][i], c.slot_at(2, i), c.g[i], static_cast<T>(s.a),
            static_cast<T>(1 - b1), static_cast<T>(1 - b2), eps);
  }
};

template <class T>
struct RmspropRule {
  Common<T> c;
  T rho, momentum, eps;
  bool centered;
  RmspropRule(Common<T> common, const Attrs& at)
      : c(common),
        rho(static_cast<T>(at.get_float("rho"))),
        momentum(static_cast<T>(at.get_float("momentum", 0.0))),
        eps(static_cast<T>(at.get_float("epsilon"))),
        centered(at.get_bool("centered", false)) {}
  __device__ LrScalars prepare() const { return {c.learning_rate(), 0, 0, 0}; }
  __device__ void apply(int64_t i, const LrScalars& s) const {
    c.decay(i, static_cast<T>(c.weight_decay * s.lr));
    rmsprop<T>(c.w[i], c.slot[0][i], momentum > T(0) ? c.slot_at(1, i) : nullptr,
               centered ? c.slot_at(2, i) : nullptr, c.g[i], static_cast<T>(s.lr), rho, momentum,
               eps);
  }
};

template <class T>
struct AdagradRule {
  Common<T> c;
  T eps;
  AdagradRule(Common<T> common, const Attrs& at)
      : c(common), eps(static_cast<T>(at.get_float("epsilon"))) {}
  __device__ LrScalars prepare() const { return {c.learning_rate(), 0, 0, 0}; }
  __device__ void apply(int64_t i, const LrScalars& s) const {
    c.decay(i, static_cast<T>(c.weight_decay * s.lr));
    adagrad<T>(c.w[i], c.slot[0][i], c.g[i], static_cast<T>(s.lr), eps);
  }
};

// Slot 2 is the momentum product u_prod (a scalar), updated by a separate op after the step.
template <class T>
struct NadamRule {
  Common<T> c;
  double b1, b2;
  T eps;
  NadamRule(Common<T> common, const Attrs& at)
      : c(common),
        b1(at.get_float("beta_1")),
        b2(at.get_float("beta_2")),
        eps(static_cast<T>(at.get_float("epsilon"))) {}
  __device__ LrScalars prepare() const {
    const double t = c.step();
    const double u_t = b1 * (1 - 0.5 * std::pow(0.96, t));
    const double u_t1 = b1 * (1 - 0.5 * std::pow(0.96, t + 1));
    const double u_prod_t = static_cast<double>(*c.slot[2]) * u_t;
    const double u_prod_t1 = u_prod_t * u_t1;
    return {c.learning_rate(), u_t1 / (1 - u_prod_t1), (1 - u_t) / (1 - u_prod_t),
            1 / (1 - std::pow(b2, t))};
  }
  __device__ void apply(int64_t i, const LrScalars& s) const {
    c.decay(i, static_cast<T>(c.weight_decay * s.lr));
    nadam<T>(c.w[i], c.slot[0][i], c.slot[1][i], c.g[i], static_cast<T>(s.lr),
             static_cast<T>(1 - b1), static_cast<T>(1 - b2), eps, static_cast<T>(s.a),
             static_cast<T>(s.b), static_cast<T>(s.c));
  }
};

}  // namespace nabla::cuda::state_ops

namespace nabla::cuda {

void register_state_kernels(Backend& b) {
  using namespace state_ops;
  b.register_kernel("NoOp", [](const KernelArgs&) {});
  b.register_kernel("Assign", assign_kernel<AssignMode::Set>);
  b.register_kernel("AssignAdd", assign_kernel<AssignMode::Add>);
  b.register_kernel("AssignSub", assign_kernel<AssignMode::Sub>);
  b.register_kernel("ApplySGD", update_kernel_for<SgdRule>);
  b.register_kernel("ApplyAdam", update_kernel_for<AdamRule>);
  b.register_kernel("ApplyRMSprop", update_kernel_for<RmspropRule>);
  b.register_kernel("ApplyAdagrad", update_kernel_for<AdagradRule>);
  b.register_kernel("ApplyNadam", update_kernel_for<NadamRule>);
}

}  // namespace nabla::cuda
