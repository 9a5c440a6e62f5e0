// CUDA kernels of random ops. Element i of run r of a node is philox(seed, r, i) from
// framework/core/philox.h, the same function the CPU kernels call, so both backends draw the same
// values bit for bit (the double is computed identically, then rounded to the output type).
//
// The run index comes from the op's step input when it has one (an int64 scalar in device
// memory, read by the kernel, so a CUDA Graph replay uses the current step), else from the
// node's host-side run counter, whose value each launch bakes in (such plans are not captured).
#include <cstring>

#include "framework/backend/backend.h"
#include "framework/core/philox.h"
#include "framework/cuda/kernels.h"
#include "framework/cuda/launch.cuh"

namespace nabla::cuda::random_ops {

enum class Dist { Normal, Uniform, TruncatedNormal, UnitUniform, Dropout };

// Where a random op's optional step input is (-1: it has none).
int step_input_of(OpId op) {
  return op == op::RandomUniformLike || op == op::DropoutMask ? 1 : -1;
}

struct Params {
  Dist dist;
  uint64_t seed;
  double a, b;                // mean and stddev, or low and high, or the dropout rate and scale
  const int64_t* step;        // the run index in device memory, or nullptr
  uint64_t host_run;          // the run index when there is no step input
  const int64_t* row_offset;  // the first row's index in a larger batch (device), or nullptr
  int64_t per_row;            // elements per row of the output

  __device__ double draw(uint64_t run, uint64_t i) const {
    switch (dist) {
      case Dist::Normal:
        return a + b * philox::normal(seed, run, i);
      case Dist::Uniform:
        return a + (b - a) * philox::uniform(seed, run, i);
      case Dist::TruncatedNormal:
        return a + b * philox::truncated_normal(seed, run, i);
      case Dist::UnitUniform:
        return philox::uniform(seed, run, i);
      case Dist::Dropout:
        return philox::uniform(seed, run, i) >= a ? b : 0.0;
    }
    return 0.0;
  }
};

template <class T>
void generate(const KernelArgs& args, Params p) {
  T* y = args.output.as<T>();
  for_each(args, args.output.numel(), [=] __device__(int64_t i) {
    const uint64_t run = p.step ? static_cast<uint64_t>(*p.step) : p.host_run;
    const uint64_t first =
        p.row_offset ? static_cast<uint64_t>(*p.row_offset) * static_cast<uint64_t>(p.per_row) : 0;
    y[i] = static_cast<T>(p.draw(run, first + static_cast<uint64_t>(i)));
  });
}

template <Dist D>
void random_kernel(const KernelArgs& args) {
  Params p{D,       static_cast<uint64_t>(args.attrs->get_int("seed")), 0, 0, nullptr, 0,
           nullptr, kernels::elements_per_row(args.output.shape)};
  if constexpr (D == Dist::Dropout) {
    p.a = args.attrs->get_float("rate");
    p.b = 1.0 / (1.0 - p.a);
  } else if constexpr (D != Dist::UnitUniform) {
    p.a = args.attrs->get_float("a");
    p.b = args.attrs->get_float("b");
  }
  const int step = step_input_of(args.op);
  if (step >= 0 && args.num_inputs > step) {
    p.step = args.in(step).as<int64_t>();
  } else {
    p.host_run = args.counter ? (*args.counter)++ : 0;
  }
  if (step >= 0 && args.num_inputs > step + 1) p.row_offset = args.in(step + 1).as<int64_t>();
  dispatch_float(args.output.dtype, args, [&]<class T>() { generate<T>(args, p); });
}

}  // namespace nabla::cuda::random_ops

namespace nabla::cuda {

bool uses_host_counter(const KernelArgs& args) {
  if (!args.counter) return false;
  const int step = random_ops::step_input_of(args.op);
  return step < 0 || args.num_inputs <= step;
}

void register_random_kernels(Backend& b) {
  using namespace random_ops;
  b.register_kernel(op::RandomNormal, random_kernel<Dist::Normal>);
  b.register_kernel(op::RandomUniform, random_kernel<Dist::Uniform>);
  b.register_kernel(op::TruncatedNormal, random_kernel<Dist::TruncatedNormal>);
  b.register_kernel(op::RandomUniformLike, random_kernel<Dist::UnitUniform>);
  b.register_kernel(op::DropoutMask, random_kernel<Dist::Dropout>);
}

}  // namespace nabla::cuda
