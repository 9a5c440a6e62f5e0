// The table of op cases that the op tests walk (ggml's test-backend-ops style): every op with
// inputs that exercise broadcasting and odd sizes. test_op_gradients checks each gradient against
// central finite differences in graph mode and under a tape; test_cuda_ops checks each value and
// gradient on CUDA against the CPU.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "framework/nabla.h"

namespace nabla::testing {

/// How to draw one input.
struct InputSpec {
  Shape shape;
  DType dtype = DType::Float64;
  double lo = -2.0, hi = 2.0;
  /// Values this close to 0 are pushed away (kinks of relu, abs, ... confuse finite differences).
  double avoid_zero = 0.05;
  /// For integer inputs: values in [0, int_max).
  int64_t int_max = 0;
};

struct OpCase {
  std::string name;
  std::vector<InputSpec> inputs;
  std::function<Tensor(const TensorList&)> build;
  /// False for ops without a gradient (comparisons, argmax, one_hot, random...).
  bool differentiable = true;
  /// Placeholder shapes for graph mode, where -1 tests run-time shapes (empty: the input's).
  std::vector<Shape> graph_shapes = {};
  /// Tolerance of the finite-difference check (looser where a float32 step limits precision).
  double fd_tolerance = 1e-6;
};

/// All cases. `dtype` is the float type of the float inputs (float64 for gradient checks,
/// float32 for backend comparisons).
std::vector<OpCase> op_cases(DType dtype = DType::Float64);

/// Random inputs for a case (seeded, so every backend sees the same values).
TensorList make_inputs(const OpCase& c, uint64_t seed);

/// Placeholders in the default graph for a case's inputs (with the case's -1 dimensions), and
/// the feeds giving them `x`.
std::pair<TensorList, FeedDict> graph_inputs(const OpCase& c, const TensorList& x);

/// max |a - b| / max(1, |b|) over all elements; infinity on a shape mismatch or a NaN in a.
double max_rel_diff(const Tensor& a, const Tensor& b);

}  // namespace nabla::testing
