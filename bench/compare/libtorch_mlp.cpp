// Reference workload in libtorch (C++ API, Debian's libtorch-dev):
// MLP 784-256-128-10 (relu, relu, logits), cross-entropy from logits,
// Adam(lr 1e-3, betas .9/.999, eps 1e-7), batch 128, shuffled every epoch.
//
// Build (see run.sh, which does this into ~/.cache/nabla-compare-build):
//   g++ -O2 -std=c++17 libtorch_mlp.cpp -o libtorch_mlp \
//       -I/usr/include/torch/csrc/api/include -ltorch -ltorch_cpu -lc10
//
// Prints
//   VERSION framework=libtorch version=<TORCH_VERSION> ...
//   RESULT framework=libtorch threads=N batch=128 epoch_s_median=<s> test_acc=<acc>
// Per-epoch details go to stderr.
#include <torch/torch.h>
#include <torch/version.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

// Reads a gzip'd IDX file through `gzip -dc` (no zlib headers needed).
std::vector<uint8_t> read_gz(const std::string& path) {
  std::string cmd = "gzip -dc '" + path + "'";
  FILE* f = popen(cmd.c_str(), "r");
  if (!f) throw std::runtime_error("cannot run: " + cmd);
  std::vector<uint8_t> out;
  uint8_t buf[1 << 16];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) out.insert(out.end(), buf, buf + n);
  if (pclose(f) != 0 || out.size() < 8) throw std::runtime_error("failed to read " + path);
  return out;
}

uint32_t be32(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
}

torch::Tensor load_images(const std::string& path) {
  auto raw = read_gz(path);
  uint32_t n = be32(&raw[4]), rows = be32(&raw[8]), cols = be32(&raw[12]);
  auto t = torch::empty({int64_t(n), int64_t(rows * cols)}, torch::kUInt8);
  std::memcpy(t.data_ptr<uint8_t>(), raw.data() + 16, size_t(n) * rows * cols);
  return t.to(torch::kFloat32).div_(255.0f).contiguous();
}

torch::Tensor load_labels(const std::string& path) {
  auto raw = read_gz(path);
  uint32_t n = be32(&raw[4]);
  auto t = torch::empty({int64_t(n)}, torch::kUInt8);
  std::memcpy(t.data_ptr<uint8_t>(), raw.data() + 8, n);
  return t.to(torch::kInt64);
}

struct MLPImpl : torch::nn::Module {
  torch::nn::Linear fc1{nullptr}, fc2{nullptr}, fc3{nullptr};
  MLPImpl() {
    fc1 = register_module("fc1", torch::nn::Linear(784, 256));
    fc2 = register_module("fc2", torch::nn::Linear(256, 128));
    fc3 = register_module("fc3", torch::nn::Linear(128, 10));
    for (auto* l : {&fc1, &fc2, &fc3}) {  // Keras defaults: glorot_uniform, zeros
      torch::nn::init::xavier_uniform_((*l)->weight);
      torch::nn::init::zeros_((*l)->bias);
    }
  }
  torch::Tensor forward(torch::Tensor x) {
    x = torch::relu(fc1->forward(x));
    x = torch::relu(fc2->forward(x));
    return fc3->forward(x);
  }
};
TORCH_MODULE(MLP);

}  // namespace

int main(int argc, char** argv) {
  int threads = 1, epochs = 3, batch = 128;
  uint64_t seed = 0;
  std::string name = "libtorch";  // label in the VERSION/RESULT lines (run.sh uses libtorch-refblas)
  std::string dir = std::getenv("FMNIST_DIR") ? std::getenv("FMNIST_DIR")
                                              : "/usr/share/datasets/fashion-mnist";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) { std::cerr << "missing value for " << a << "\n"; std::exit(2); }
      return argv[++i];
    };
    if (a == "--threads") threads = std::stoi(next());
    else if (a == "--epochs") epochs = std::stoi(next());
    else if (a == "--batch") batch = std::stoi(next());
    else if (a == "--seed") seed = std::stoull(next());
    else if (a == "--data-dir") dir = next();
    else if (a == "--name") name = next();
    else {
      std::cerr << "usage: " << argv[0]
                << " [--threads N] [--epochs E] [--batch B] [--seed S] [--data-dir D] [--name LABEL]\n";
      return 2;
    }
  }
  std::string tn = std::to_string(threads);
  setenv("OMP_NUM_THREADS", tn.c_str(), 1);
  setenv("OPENBLAS_NUM_THREADS", tn.c_str(), 1);
  setenv("MKL_NUM_THREADS", tn.c_str(), 1);
  at::set_num_threads(threads);
  at::set_num_interop_threads(threads);
  torch::manual_seed(seed);

  auto x_train = load_images(dir + "/train-images-idx3-ubyte.gz");
  auto y_train = load_labels(dir + "/train-labels-idx1-ubyte.gz");
  auto x_test = load_images(dir + "/t10k-images-idx3-ubyte.gz");
  auto y_test = load_labels(dir + "/t10k-labels-idx1-ubyte.gz");

  MLP model;
  torch::optim::Adam opt(model->parameters(),
                         torch::optim::AdamOptions(1e-3).betas({0.9, 0.999}).eps(1e-7));

  const char* blas = std::getenv("NABLA_COMPARE_BLAS");
  std::printf("VERSION framework=%s version=%s intraop=%d interop=%d blas=%s\n",
              name.c_str(), TORCH_VERSION, at::get_num_threads(), at::get_num_interop_threads(),
              blas ? blas : "system-libblas.so.3");
  std::fflush(stdout);

  const int64_t n = x_train.size(0);
  std::vector<double> times;
  for (int e = 0; e < epochs; ++e) {
    model->train();
    auto t0 = std::chrono::steady_clock::now();
    auto perm = torch::randperm(n, torch::kInt64);
    double total = 0.0;
    for (int64_t i = 0; i < n; i += batch) {
      int64_t len = std::min<int64_t>(batch, n - i);
      auto idx = perm.narrow(0, i, len);
      auto xb = x_train.index_select(0, idx);
      auto yb = y_train.index_select(0, idx);
      opt.zero_grad();
      auto loss = torch::nn::functional::cross_entropy(model->forward(xb), yb);
      loss.backward();
      opt.step();
      total += loss.item<double>() * len;
    }
    double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    times.push_back(dt);
    std::fprintf(stderr, "epoch %d/%d time_s=%.4f train_loss=%.4f\n", e + 1, epochs, dt, total / n);
  }

  model->eval();
  double acc;
  {
    torch::NoGradGuard ng;
    auto pred = model->forward(x_test).argmax(1);
    acc = pred.eq(y_test).to(torch::kFloat64).mean().item<double>();
  }
  std::sort(times.begin(), times.end());
  size_t m = times.size();
  double med = (m % 2) ? times[m / 2] : 0.5 * (times[m / 2 - 1] + times[m / 2]);
  std::printf("RESULT framework=%s threads=%d batch=%d epoch_s_median=%.4f test_acc=%.4f\n",
              name.c_str(), threads, batch, med, acc);
  return 0;
}
