#include "scale.h"

#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include <nabla/nabla.h>

#include "harness.h"

namespace nabla::bench {
namespace {

// Matrix-product FLOP per sample of one training step of an MLP in-W-W-10: forward, weight
// gradients, and the input gradients of every layer but the first.
double step_flop_per_sample(int64_t in, int64_t w) {
  const double fwd = double(in) * w + double(w) * w + double(w) * 10;
  return 2.0 * (2 * fwd + double(w) * w + double(w) * 10);
}

// Median epoch seconds of an in-W-W-10 relu MLP (Adam, mse on 10 outputs) on `samples` random
// samples at `batch`, after one epoch that compiles the plans.
double epoch_seconds(int64_t in, int64_t w, int64_t batch, int64_t samples, int epochs,
                     int64_t* params = nullptr) {
  set_seed(5);
  const Tensor x = Tensor::random_uniform({samples, in}, 0, 1, 11);
  const Tensor y = Tensor::random_uniform({samples, 10}, 0, 1, 12);
  Sequential model({Input({in}), Dense(w, "relu"), Dense(w, "relu"), Dense(10)});
  model.compile(Adam(1e-3), "mse");
  History h =
      model.fit(x, y, FitOptions().epochs(epochs + 1).batch_size(batch).shuffle(false).verbose(0));
  std::vector<double> t = h.history.at("epoch_seconds");
  t.erase(t.begin());
  if (params) *params = model.count_params();
  return median(t);
}

}  // namespace

void run_scale(const WorkloadOptions& o, double peak) {
  const int epochs = o.quick() ? 1 : 2;
  std::printf("\n== scale (%d threads; sgemm peak %.1f GFLOP/s) ==\n", num_threads(), peak);
  {  // MLP 4096-4096-4096-10 at batch 512: 33.6 M weights, 100.7 M floats with Adam's m and v
    const int64_t w = 4096, batch = 512, samples = batch * (o.quick() ? 4 : 8);
    int64_t count = 0;
    const double s = epoch_seconds(w, w, batch, samples, epochs, &count);
    const double gflops = step_flop_per_sample(w, w) * samples / s / 1e9;
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const double params = static_cast<double>(count);
    const double state_mb = 3 * 4 * params / 1048576.0;  // weights, Adam's m and v
    const double data_mb = 4.0 * samples * (w + 10) / 1048576.0;
    const double rss_mb = usage.ru_maxrss / 1024.0;
    std::printf(
        "MLP 4096-4096-4096-10 batch 512: %.3f s/step, %.1f GFLOP/s = %.0f%% of sgemm peak\n",
        s * batch / samples, gflops, 100 * gflops / peak);
    std::printf("peak resident %.0f MB = %.2fx weights+optimizer (%.0f MB) + data (%.0f MB)\n",
                rss_mb, rss_mb / (state_mb + data_mb), state_mb, data_mb);
    std::printf(
        "RESULT framework=nabla case=wide4096 threads=%d step_s=%.4f gflops=%.1f "
        "of_peak=%.3f peak_rss_mb=%.0f state_mb=%.0f data_mb=%.0f\n",
        num_threads(), s * batch / samples, gflops, gflops / peak, rss_mb, state_mb, data_mb);
  }
  // Training rate of 784-W-W-10 by width and batch, each at about the same work per epoch.
  const int64_t widths[] = {256, 1024, 4096};
  const int64_t batches[] = {32, 128, 512, 2048};
  std::printf("\nGFLOP/s (%% of sgemm peak) of a training epoch, MLP 784-W-W-10\n%-8s",
              "W \\ batch");
  for (int64_t b : batches) std::printf(" %14lld", static_cast<long long>(b));
  std::printf("\n");
  std::string results;
  for (int64_t w : widths) {
    std::printf("%-8lld", static_cast<long long>(w));
    for (int64_t b : batches) {
      const double budget = (o.quick() ? 10e9 : 40e9);  // FLOP per epoch
      const double per = step_flop_per_sample(784, w);
      const int64_t samples = std::max<int64_t>(2 * b, static_cast<int64_t>(budget / per) / b * b);
      const double s = epoch_seconds(784, w, b, samples, epochs);
      const double gflops = per * samples / s / 1e9;
      std::printf(" %7.1f (%3.0f%%)", gflops, 100 * gflops / peak);
      std::fflush(stdout);
      char line[160];
      std::snprintf(line, sizeof line,
                    "RESULT framework=nabla case=scale threads=%d width=%lld batch=%lld "
                    "gflops=%.1f of_peak=%.3f\n",
                    num_threads(), static_cast<long long>(w), static_cast<long long>(b), gflops,
                    gflops / peak);
      results += line;
    }
    std::printf("\n");
  }
  std::printf("%s", results.c_str());
}

}  // namespace nabla::bench
