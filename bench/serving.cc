#include "serving.h"

#include <cstdio>

#include <nabla/nabla.h>

#include "harness.h"
#include "workloads.h"

namespace nabla::bench {
void run_serving(const WorkloadOptions& o) {
  std::printf("\n== framework overhead and serving (%d threads) ==\n", num_threads());
  {  // a tiny model, where kernels cost almost nothing
    set_seed(3);
    const int64_t steps = 4000;
    const Tensor tx = Tensor::random_uniform({32 * steps, 2}, -1, 1, 5);
    const Tensor ty = Tensor::random_uniform({32 * steps, 1}, -1, 1, 6);
    Sequential tiny({Input({2}), Dense(16, "relu"), Dense(1)});
    tiny.compile(Adam(1e-3), "mse");
    History h = tiny.fit(tx, ty, FitOptions().epochs(o.epochs() + 1).batch_size(32).verbose(0));
    std::vector<double> t = h.history.at("epoch_seconds");
    t.erase(t.begin());
    const double us = 1e6 * median(t) / steps;
    std::printf("%-28s %10.2f us\n", "train step, 2-16-1 batch 32", us);
    std::printf("RESULT framework=nabla case=tiny_step threads=%d us_median=%.2f\n", num_threads(),
                us);
  }
  Tensor x =
      load_idx(std::string(kFashionMnistDir) + "t10k-images-idx3-ubyte.gz").view({10000, 784});
  x /= 255.f;
  {  // one sample, as a C++ service calls predict
    Sequential model = reference_mlp();
    const Tensor x1 = x.rows(0, 1);
    keep(model.predict(x1));
    const int reps = o.quick() ? 2000 : 10000;
    std::vector<double> per_call;
    for (int k = 0; k < 9; ++k) {
      const std::vector<double> t = time_runs([&] { keep(model.predict(x1)); }, reps / 9, 0);
      per_call.push_back(median(t));
    }
    const double us = 1e6 * median(per_call);
    std::printf("%-28s %10.2f us\n", "predict, batch 1", us);
    std::printf("RESULT framework=nabla case=predict1 threads=%d us_median=%.2f\n", num_threads(),
                us);
  }
  {  // throughput at batch 1024
    Sequential model = reference_mlp();
    model.predict(x, PredictOptions().batch_size(1024));
    const double s = median(time_runs(
        [&] { keep(model.predict(x, PredictOptions().batch_size(1024))); }, o.quick() ? 5 : 15));
    const double n = static_cast<double>(x.shape()[0]);
    const double flop = 2.0 * n * (784.0 * 256 + 256.0 * 128 + 128.0 * 10);
    std::printf("%-28s %10.0f samples/s  (%.1f GFLOP/s)\n", "predict, batch 1024", n / s,
                flop / s / 1e9);
    std::printf(
        "RESULT framework=nabla case=predict1024 threads=%d samples_per_s=%.0f gflops=%.1f\n",
        num_threads(), n / s, flop / s / 1e9);
  }
}

}  // namespace nabla::bench
