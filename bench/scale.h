// Scale: a 4096-wide MLP at batch 512 (rate and peak memory), and how the training rate grows
// with width and batch.
#pragma once

#include "workloads.h"

namespace nabla::bench {

/// Run in a process of its own (nabla_bench --scale), so that its peak resident memory is the
/// wide model's. `sgemm_peak` (GFLOP/s) puts the rates beside the machine's.
void run_scale(const WorkloadOptions& o, double sgemm_peak);

}  // namespace nabla::bench
