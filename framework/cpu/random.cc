// CPU kernels of random ops. Element i of a node's run r is philox(seed, r, i), so the values do
// not depend on how the work is split over threads, and the CUDA kernels produce the same ones.
#include "framework/backend/backend.h"
#include "framework/core/philox.h"
#include "framework/cpu/kernel_util.h"

namespace nabla::cpu {
namespace {

// The run index: the step input when given (an int64 scalar), else the node's run counter.
uint64_t run_index(const KernelArgs& args, int step_input) {
  if (args.num_inputs > step_input)
    return static_cast<uint64_t>(*args.in(step_input).as<int64_t>());
  return args.counter ? (*args.counter)++ : 0;
}

// The number of the output's first element in its stream: row offset (input `offset_input`,
// when given) times the elements per row, else 0.
uint64_t first_element(const KernelArgs& args, int offset_input) {
  if (args.num_inputs <= offset_input) return 0;
  return static_cast<uint64_t>(*args.in(offset_input).as<int64_t>()) *
         static_cast<uint64_t>(kernels::elements_per_row(args.output.shape));
}

template <class Gen>
void generate(const KernelArgs& args, uint64_t run, Gen gen, uint64_t first = 0) {
  const uint64_t seed = static_cast<uint64_t>(args.attrs->get_int("seed"));
  dispatch_float(args.output.dtype, args, [&]<class T>() {
    T* y = args.output.as<T>();
    parallel_range(args, args.output.numel(), 64, [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; ++i)
        y[i] = static_cast<T>(gen(seed, run, first + static_cast<uint64_t>(i)));
    });
  });
}

void random_normal_kernel(const KernelArgs& args) {
  const double mean = args.attrs->get_float("a"), stddev = args.attrs->get_float("b");
  generate(args, run_index(args, 0), [=](uint64_t s, uint64_t r, uint64_t i) {
    return mean + stddev * philox::normal(s, r, i);
  });
}

void random_uniform_kernel(const KernelArgs& args) {
  const double lo = args.attrs->get_float("a"), hi = args.attrs->get_float("b");
  generate(args, run_index(args, 0), [=](uint64_t s, uint64_t r, uint64_t i) {
    return lo + (hi - lo) * philox::uniform(s, r, i);
  });
}

void truncated_normal_kernel(const KernelArgs& args) {
  const double mean = args.attrs->get_float("a"), stddev = args.attrs->get_float("b");
  generate(args, run_index(args, 0), [=](uint64_t s, uint64_t r, uint64_t i) {
    return mean + stddev * philox::truncated_normal(s, r, i);
  });
}

void random_uniform_like_kernel(const KernelArgs& args) {
  generate(
      args, run_index(args, 1),
      [](uint64_t s, uint64_t r, uint64_t i) { return philox::uniform(s, r, i); },
      first_element(args, 2));
}

void dropout_mask_kernel(const KernelArgs& args) {
  const double rate = args.attrs->get_float("rate");
  const double scale = 1.0 / (1.0 - rate);
  generate(
      args, run_index(args, 1),
      [=](uint64_t s, uint64_t r, uint64_t i) {
        return philox::uniform(s, r, i) >= rate ? scale : 0.0;
      },
      first_element(args, 2));
}

}  // namespace

void register_random_kernels(Backend& b) {
  b.register_kernel(op::RandomNormal, random_normal_kernel);
  b.register_kernel(op::RandomUniform, random_uniform_kernel);
  b.register_kernel(op::TruncatedNormal, truncated_normal_kernel);
  b.register_kernel(op::RandomUniformLike, random_uniform_like_kernel);
  b.register_kernel(op::DropoutMask, dropout_mask_kernel);
}

}  // namespace nabla::cpu
