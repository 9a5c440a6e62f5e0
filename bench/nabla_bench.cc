// nabla's benchmarks: the reference workload, framework overhead and the hot kernels.
//
//   build/bench/nabla_bench [--quick] [--epochs N] [--threads N]
//                           [--epoch-only | --serving-only | --scale]
#include <cstdio>
#include <cstring>
#include <string>

#include <nabla/nabla.h>

#include "kernels.h"
#include "scale.h"
#include "serving.h"
#include "workloads.h"

int main(int argc, char** argv) {
  nabla::bench::WorkloadOptions o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--quick")
      o.quick(true).epochs(2);
    else if (a == "--epoch-only")
      o.epoch_only(true);
    else if (a == "--serving-only")
      o.serving_only(true);
    else if (a == "--scale")
      o.scale(true);
    else if (a == "--epochs" && i + 1 < argc)
      o.epochs(std::atoi(argv[++i]));
    else if (a == "--threads" && i + 1 < argc)
      o.threads(std::atoi(argv[++i]));
    else {
      std::fprintf(stderr,
                   "usage: nabla_bench [--quick] [--epochs N] [--threads N] "
                   "[--epoch-only | --serving-only | --scale]\n");
      return 2;
    }
  }
  if (o.threads() > 0) nabla::set_num_threads(o.threads());
  if (o.serving_only()) {
    nabla::bench::run_serving(o);
    return 0;
  }
  const double peak = nabla::bench::measure_sgemm_peak(o.quick());
  std::printf("RESULT framework=nabla case=sgemm_peak threads=%d gflops=%.1f\n",
              nabla::num_threads(), peak);
  if (o.scale()) {
    nabla::bench::run_scale(o, peak);
    return 0;
  }
  if (!o.epoch_only()) nabla::bench::run_kernels(o.quick(), peak);
  nabla::bench::run_workloads(o, peak);
  if (!o.epoch_only()) nabla::bench::run_serving(o);
  return 0;
}
