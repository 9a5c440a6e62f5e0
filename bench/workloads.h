// The reference workload (Fashion-MNIST MLP) and the framework-overhead cases.
#pragma once

#include <string>

namespace nabla::bench {

struct Options {
  int epochs = 3;      // timed epochs per batch size (after one warm-up epoch)
  bool quick = false;  // fewer repetitions
  bool epoch_only = false;
  int threads = 0;  // 0: the pool's default
};

/// Epoch times of the reference MLP at batch 32, 128, 1024; step time of a tiny model; predict
/// throughput. Prints rows and RESULT lines. `sgemm_peak` (GFLOP/s, all threads) puts the
/// epoch's matrix-product rate beside the machine's.
void run_workloads(const Options& o, double sgemm_peak);

}  // namespace nabla::bench
