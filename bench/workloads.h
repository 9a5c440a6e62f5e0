// The reference workload (Fashion-MNIST MLP) and the framework-overhead cases.
#pragma once

#include <string>

#include <nabla/nabla.h>
#include "framework/core/options.h"

namespace nabla::bench {

/// What nabla_bench runs.
struct WorkloadOptions {
  /// Timed epochs per batch size (after one warm-up epoch).
  NABLA_ARG(int, epochs) = 3;
  /// Fewer repetitions.
  NABLA_ARG(bool, quick) = false;
  /// Only the reference workload's epochs at batch 128.
  NABLA_ARG(bool, epoch_only) = false;
  /// Only the overhead and serving cases (serving.h).
  NABLA_ARG(bool, serving_only) = false;
  /// Only the scale cases (scale.h), in a process of their own for the peak memory.
  NABLA_ARG(bool, scale) = false;
  /// Threads of the pool; 0 leaves its default.
  NABLA_ARG(int, threads) = 0;
};

/// Where Debian's dataset-fashion-mnist package puts the data.
inline constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist/";

/// The reference MLP, 784-256-128-10 (relu, relu, logits), seeded, not compiled.
Sequential reference_mlp();

/// Epoch times of the reference MLP at batch 32, 128, 1024 (the tiny model and predict are in
/// serving.h). Prints rows and RESULT lines. `sgemm_peak` (GFLOP/s, all threads) puts the
/// epoch's matrix-product rate beside the machine's.
void run_workloads(const WorkloadOptions& o, double sgemm_peak);

}  // namespace nabla::bench
