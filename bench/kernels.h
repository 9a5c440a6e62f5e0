// The hot kernels of the reference workload at its shapes, each run through a compiled plan.
#pragma once

namespace nabla::bench {

/// Measured sgemm rate (GFLOP/s) with the pool's threads at 1024x1024x1024, the fastest of five
/// samples (each a median of many products): the peak the workload figures are compared with.
double measure_sgemm_peak(bool quick);
/// Prints each hot kernel's time and GFLOP/s or GB/s.
void run_kernels(bool quick, double sgemm_peak);

}  // namespace nabla::bench
