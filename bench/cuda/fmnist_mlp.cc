// The bench/compare workload on a GPU: Fashion-MNIST, MLP 784-256-128-10 (relu), Adam 1e-3,
// batch 128, sparse cross-entropy from logits, shuffled every epoch. Prints one line
//   RESULT framework=nabla device=cuda:0 batch=128 epoch_s_median=<s> test_acc=<acc>
// comparable with torch_mlp_cuda.py's. Epochs are timed by a callback inside one fit (the data
// set is uploaded once per fit); the median leaves out the first epoch's plan building and
// CUDA Graph capture.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cxxopts.hpp>
#include <iostream>

#include <nabla/nabla.h>

using namespace nabla;

namespace {

using Clock = std::chrono::steady_clock;

// Wall time of every epoch.
class EpochTimer : public Callback {
 public:
  void on_epoch_begin(int, const Logs&) override { start_ = Clock::now(); }
  void on_epoch_end(int epoch, Logs& logs) override {
    const double s = std::chrono::duration<double>(Clock::now() - start_).count();
    seconds.push_back(s);
    std::fprintf(stderr, "epoch %d time_s=%.4f train_loss=%.4f\n", epoch + 1, s, logs["loss"]);
  }
  std::vector<double> seconds;

 private:
  Clock::time_point start_;
};

// Images as float32 [n, 784] scaled to [0, 1]; labels as int32 [n].
std::pair<Tensor, Tensor> load(const std::string& dir, const std::string& prefix) {
  Tensor x = load_idx(dir + "/" + prefix + "-images-idx3-ubyte.gz");
  x = reshape(x, {x.shape()[0], 784}) * (1.0f / 255.0f);
  return {x, load_idx(dir + "/" + prefix + "-labels-idx1-ubyte.gz", DType::Int32)};
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

}  // namespace

int main(int argc, char** argv) {
  cxxopts::Options cli("bench_cuda_fmnist", "Fashion-MNIST MLP training time on a CUDA device");
  const char* env_dir = std::getenv("FMNIST_DIR");
  cli.add_options()("epochs", "epochs", cxxopts::value<int>()->default_value("5"))(
      "batch", "batch size", cxxopts::value<int>()->default_value("128"))(
      "device", "cuda:N or cpu", cxxopts::value<std::string>()->default_value("cuda:0"))(
      "seed", "seed", cxxopts::value<uint64_t>()->default_value("0"))(
      "data", "directory of the IDX files",
      cxxopts::value<std::string>()->default_value(
          env_dir ? env_dir : "/usr/share/datasets/fashion-mnist"))("h,help", "this help");
  const auto args = cli.parse(argc, argv);
  if (args.count("help")) {
    std::cout << cli.help() << "\n";
    return 0;
  }
  try {
    const Device device = Device::parse(args["device"].as<std::string>());
    const int batch = args["batch"].as<int>();
    const auto [x_train, y_train] = load(args["data"].as<std::string>(), "train");
    const auto [x_test, y_test] = load(args["data"].as<std::string>(), "t10k");

    set_seed(args["seed"].as<uint64_t>());
    Sequential model({Input({784}), Dense(256, "relu"), Dense(128, "relu"), Dense(10)});
    model.compile(
        Adam(1e-3),
        SparseCategoricalCrossentropy(SparseCategoricalCrossentropyOptions().from_logits(true)),
        {"accuracy"}, device);
    auto timer = std::make_shared<EpochTimer>();
    model.fit(x_train, y_train,
              FitOptions()
                  .epochs(args["epochs"].as<int>())
                  .batch_size(batch)
                  .verbose(0)
                  .callbacks({timer}));
    const Logs test = model.evaluate(x_test, y_test, EvaluateOptions().batch_size(1024).verbose(0));
    std::printf("RESULT framework=nabla device=%s batch=%d epoch_s_median=%.4f test_acc=%.4f\n",
                device.to_string().c_str(), batch, median(timer->seconds), test.at("accuracy"));
  } catch (const Error& e) {
    std::fprintf(stderr, "bench_cuda_fmnist: %s\n", e.what());
    return 1;
  }
  return 0;
}
