#include "workloads.h"

#include <sys/resource.h>

#include <cstdio>

#include <nabla/nabla.h>

#include "harness.h"

namespace nabla::bench {

Sequential reference_mlp() {
  set_seed(42);
  return Sequential({Input({784}), Dense(256, "relu"), Dense(128, "relu"), Dense(10)});
}

namespace {

// Matrix-product FLOP of one epoch of the reference MLP: forward, weight gradients, and the
// input gradients of layers 2 and 3.
double epoch_gflop(int64_t samples) {
  const double fwd = 784.0 * 256 + 256.0 * 128 + 128.0 * 10;
  const double back_inputs = 256.0 * 128 + 128.0 * 10;
  return 2.0 * samples * (2 * fwd + back_inputs) / 1e9;
}

// The reference MLP compiled as the reference workload trains it.
Sequential compiled_reference_mlp() {
  Sequential model = reference_mlp();
  model.compile(
      Adam(1e-3),
      SparseCategoricalCrossentropy(SparseCategoricalCrossentropyOptions().from_logits(true)),
      {"accuracy"});
  return model;
}

}  // namespace

void run_workloads(const WorkloadOptions& o, double sgemm_peak) {
  Tensor x =
      load_idx(std::string(kFashionMnistDir) + "train-images-idx3-ubyte.gz").view({60000, 784});
  x /= 255.f;
  const Tensor y = load_idx(std::string(kFashionMnistDir) + "train-labels-idx1-ubyte.gz");
  Tensor xt =
      load_idx(std::string(kFashionMnistDir) + "t10k-images-idx3-ubyte.gz").view({10000, 784});
  xt /= 255.f;
  const Tensor yt = load_idx(std::string(kFashionMnistDir) + "t10k-labels-idx1-ubyte.gz");
  const double gflop = epoch_gflop(60000);

  std::printf(
      "\n== reference workload: MLP 784-256-128-10, Adam 1e-3, Fashion-MNIST (60000 samples), "
      "%d threads ==\n",
      num_threads());
  std::printf("%-28s %12s %12s %12s\n", "case", "median", "GFLOP/s", "of sgemm peak");
  const std::vector<int> batches =
      o.epoch_only() ? std::vector<int>{128} : std::vector<int>{32, 128, 1024};
  for (int batch : batches) {
    Sequential model = compiled_reference_mlp();
    History h =
        model.fit(x, y, FitOptions().epochs(o.epochs() + 1).batch_size(batch).verbose(0).seed(1));
    std::vector<double> t = h.history.at("epoch_seconds");
    t.erase(t.begin());  // the first epoch compiles the plans
    const double s = median(t);
    std::printf("epoch, batch %-15d %10.3f s %12.1f %11.0f%%\n", batch, s, gflop / s,
                100 * gflop / s / sgemm_peak);
    if (batch == 128) {
      // Peak memory so far: the data sets, the model and its optimizer state, one training run.
      rusage usage{};
      getrusage(RUSAGE_SELF, &usage);
      const double data_mb = (x.storage()->bytes() + y.storage()->bytes()) / 1048576.0;
      const double model_mb = 4.0 * model.count_params() / 1048576.0;
      std::printf("%-28s %10.0f MB = %.2fx the float32 training set (%.0f MB) + model (%.1f MB)\n",
                  "peak resident memory", usage.ru_maxrss / 1024.0,
                  usage.ru_maxrss / 1024.0 / (data_mb + model_mb), data_mb, model_mb);
      const double acc =
          model.evaluate(xt, yt, EvaluateOptions().batch_size(1024).verbose(0)).at("accuracy");
      std::printf("RESULT framework=nabla threads=%d batch=128 epoch_s_median=%.4f test_acc=%.4f\n",
                  num_threads(), s, acc);
    }
  }
}

}  // namespace nabla::bench
