// The reference workload (Fashion-MNIST MLP) and the framework-overhead cases.
#pragma once

#include <string>

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
  /// Threads of the pool; 0 leaves its default.
  NABLA_ARG(int, threads) = 0;
};

/// Epoch times of the reference MLP at batch 32, 128, 1024; step time of a tiny model; predict
/// throughput. Prints rows and RESULT lines. `sgemm_peak` (GFLOP/s, all threads) puts the
/// epoch's matrix-product rate beside the machine's.
void run_workloads(const WorkloadOptions& o, double sgemm_peak);

}  // namespace nabla::bench
