// Framework overhead and serving: a tiny model's training step, predict of one sample and of
// batches of 1024 of the reference MLP.
#pragma once

#include "workloads.h"

namespace nabla::bench {

/// Prints rows and RESULT lines (case=tiny_step, predict1, predict1024).
void run_serving(const WorkloadOptions& o);

}  // namespace nabla::bench
