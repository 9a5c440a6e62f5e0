// Training on CUDA against the CPU: every optimizer's updates, a full fit, moving a model
// between devices mid-training, checkpoints saved on one device and loaded on the other, and the
// caching allocator's steady state.
#include <dlfcn.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <functional>

#include "cuda_test_util.h"
#include "keras_test_data.h"
#include "op_cases.h"
#include "optimizers/schedules.h"

using namespace nabla;
using namespace nabla::testing;

namespace {

// w after each of 5 steps of `opt` on a 40x25 variable, with fed gradients, in a Session.
TensorList optimizer_steps(const std::function<OptimizerPtr()>& make, Device device) {
  Graph graph;
  auto scope = graph.as_default();
  Variable w(Tensor::random_uniform({40, 25}, -1, 1, 5), "w");
  Tensor g = placeholder(DType::Float32, w.shape(), "g");
  OptimizerPtr opt = make();
  Tensor train = opt->minimize(reduce_sum(w.read() * g), {w});
  Session session(graph, device);
  TensorList out;
  for (int step = 0; step < 5; ++step) {
    opt->prepare_step();
    session.run(train, {{g, Tensor::random_uniform(w.shape(), -1, 1, 50 + step)}});
    out.push_back(w.value().to(Device::CPU));
  }
  return out;
}

template <class O, class... Args>
std::function<OptimizerPtr()> make(Args... args) {
  return [=] { return std::make_shared<O>(args...); };
}

Sequential mlp() {
  set_seed(4);
  return Sequential({Input({2}), Dense(32, "relu"), Dropout(0.2), Dense(32, "tanh"), Dense(3)});
}

LossRef logits_loss() {
  return SparseCategoricalCrossentropy(SparseCategoricalCrossentropyOptions().from_logits(true));
}

void check_close_losses(const History& got, const History& want) {
  const auto &a = got.history.at("loss"), &b = want.history.at("loss");
  REQUIRE(a.size() == b.size());
  for (size_t e = 0; e < a.size(); ++e) {
    CAPTURE(e);
    CHECK(std::fabs(a[e] - b[e]) <= 1e-4 * std::max(1.0, std::fabs(b[e])));
  }
}

struct TempFile {
  std::string path =
      (std::filesystem::temp_directory_path() / ("nabla_cuda_" + std::to_string(getpid()) + ".h5"))
          .string();
  ~TempFile() { std::filesystem::remove(path); }
};

}  // namespace

CUDA_TEST_CASE("every optimizer's updates on CUDA match the CPU") {
  const std::vector<std::pair<const char*, std::function<OptimizerPtr()>>> cases{
      {"SGD", make<SGD>(0.1)},
      {"SGD nesterov", make<SGD>(SGDOptions(0.1).momentum(0.9).nesterov(true))},
      {"SGD schedule",
       make<SGD>(SGDOptions().schedule(std::make_shared<ExponentialDecay>(0.1, 2, 0.5)))},
      {"Adam", make<Adam>(0.01)},
      {"Adam amsgrad", make<Adam>(AdamOptions(0.01).amsgrad(true))},
      {"AdamW", make<AdamW>(0.01)},
      {"RMSprop", make<RMSprop>(0.01)},
      {"RMSprop momentum centered",
       make<RMSprop>(RMSpropOptions(0.01).momentum(0.9).centered(true))},
      {"Adagrad", make<Adagrad>(0.1)},
      {"Nadam", make<Nadam>(0.01)},
  };
  for (const auto& [name, factory] : cases) {
    const auto& optimizer = name;  // clang 14's CAPTURE (a lambda) cannot name a binding
    CAPTURE(optimizer);
    const TensorList cpu = optimizer_steps(factory, Device::CPU);
    const TensorList gpu = optimizer_steps(factory, kGpu);
    for (size_t step = 0; step < cpu.size(); ++step) {
      CAPTURE(step);
      CHECK(max_rel_diff(gpu[step], cpu[step]) <= 1e-5);
    }
  }
}

CUDA_TEST_CASE(
    "fit on CUDA gives the CPU's per-epoch losses, and the steady state allocates nothing") {
  auto [x, y] = spiral_data(50);
  const FitOptions options = FitOptions().epochs(4).batch_size(16).seed(3).verbose(0);
  Sequential cpu = mlp(), gpu = mlp();
  cpu.compile(Adam(0.01), logits_loss(), {"accuracy"});
  gpu.compile(Adam(0.01), logits_loss(), {"accuracy"}, kGpu);
  check_close_losses(gpu.fit(x, y, options), cpu.fit(x, y, options));
  CHECK(max_rel_diff(gpu.predict(x), cpu.predict(x)) <= 1e-4);

  using Count = uint64_t (*)(int);
  const auto count = reinterpret_cast<Count>(dlsym(RTLD_DEFAULT, "nabla_cuda_device_allocations"));
  const bool exported = count != nullptr;
  REQUIRE(exported);
  const uint64_t before = count(0);
  check_close_losses(gpu.fit(x, y, options), cpu.fit(x, y, options));
  CHECK(count(0) == before);  // a second fit reuses every block: no cudaMalloc
}

CUDA_TEST_CASE("a model moved to CUDA mid-training continues as on the CPU") {
  auto [x, y] = spiral_data(40);
  const FitOptions options = FitOptions().epochs(2).batch_size(20).seed(5).verbose(0);
  Sequential reference = mlp(), moved = mlp();
  reference.compile(Nadam(0.01), logits_loss());
  moved.compile(Nadam(0.01), logits_loss());
  check_close_losses(moved.fit(x, y, options), reference.fit(x, y, options));
  moved.to(kGpu);
  CHECK(moved.device() == kGpu);
  check_close_losses(moved.fit(x, y, options), reference.fit(x, y, options));
  moved.to(Device::CPU);
  check_close_losses(moved.fit(x, y, options), reference.fit(x, y, options));
}

CUDA_TEST_CASE("checkpoints saved on CUDA load on the CPU and the other way round") {
  auto [x, y] = spiral_data(30);
  const FitOptions options = FitOptions().epochs(2).batch_size(16).seed(7).verbose(0);
  for (const auto& [from, to] : {std::pair{kGpu, Device::CPU}, std::pair{Device::CPU, kGpu}}) {
    const std::string from_device = from.to_string();  // clang 14: no binding in CAPTURE
    CAPTURE(from_device);
    TempFile file;
    Sequential model = mlp();
    model.compile(Adam(0.01), logits_loss(), {"accuracy"}, from);
    model.fit(x, y, options);
    model.save(file.path);
    Sequential loaded = load_model(file.path, to);
    CHECK(loaded.device() == to);
    const TensorList saved = model.get_weights(), restored = loaded.get_weights();
    REQUIRE(saved.size() == restored.size());
    for (size_t i = 0; i < saved.size(); ++i)
      CHECK(max_rel_diff(restored[i].to(Device::CPU), saved[i].to(Device::CPU)) == 0.0);
    CHECK(max_rel_diff(loaded.predict(x), model.predict(x)) <= 1e-5);
    CHECK(loaded.optimizer().iterations_value() == model.optimizer().iterations_value());
    check_close_losses(loaded.fit(x, y, options), model.fit(x, y, options));  // resumes alike
  }
}
