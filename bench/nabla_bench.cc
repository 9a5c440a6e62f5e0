// nabla's benchmarks: the reference workload, framework overhead and the hot kernels.
//
//   build/bench/nabla_bench [--quick] [--epochs N] [--threads N] [--epoch-only]
#include <cstdio>
#include <cstring>
#include <string>

#include <nabla/nabla.h>

#include "kernels.h"
#include "workloads.h"

int main(int argc, char** argv) {
  nabla::bench::WorkloadOptions o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--quick")
      o.quick(true).epochs(2);
    else if (a == "--epoch-only")
      o.epoch_only(true);
    else if (a == "--epochs" && i + 1 < argc)
      o.epochs(std::atoi(argv[++i]));
    else if (a == "--threads" && i + 1 < argc)
      o.threads(std::atoi(argv[++i]));
    else {
      std::fprintf(stderr,
                   "usage: nabla_bench [--quick] [--epochs N] [--threads N] [--epoch-only]\n");
      return 2;
    }
  }
  if (o.threads() > 0) nabla::set_num_threads(o.threads());
  const double peak = nabla::bench::measure_sgemm_peak(o.quick());
  if (!o.epoch_only()) nabla::bench::run_kernels(o.quick(), peak);
  nabla::bench::run_workloads(o, peak);
  return 0;
}
