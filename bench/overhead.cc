// Framework overhead under an instruction counter: runs N epochs of 100 training steps of the
// tiny model (2-16-1, batch 32) or N single-sample predicts of the reference MLP, and nothing
// else, so `valgrind --tool=callgrind` at two values of N gives the instructions of 100 steps or
// of one predict (the difference over the difference in N), independent of the machine's load.
// predict1024 runs N predicts of 10,000 samples at batch 1024, for `perf record`.
//   nabla_overhead tiny N | predict1 N | predict1024 N
#include <cstdio>
#include <cstdlib>
#include <string>

#include <nabla/nabla.h>

int main(int argc, char** argv) {
  using namespace nabla;
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s tiny|predict1|predict1024 N\n", argv[0]);
    return 2;
  }
  const std::string what = argv[1];
  const int64_t n = std::atoll(argv[2]);
  if (what == "tiny") {
    set_seed(3);
    const Tensor x = Tensor::random_uniform({32 * 100, 2}, -1, 1, 5);
    const Tensor y = Tensor::random_uniform({32 * 100, 1}, -1, 1, 6);
    Sequential tiny({Input({2}), Dense(16, "relu"), Dense(1)});
    tiny.compile(Adam(1e-3), "mse");
    tiny.fit(x, y, FitOptions().epochs(static_cast<int>(n)).batch_size(32).verbose(0));
  } else if (what == "predict1" || what == "predict1024") {
    set_seed(42);
    Sequential model({Input({784}), Dense(256, "relu"), Dense(128, "relu"), Dense(10)});
    const bool one = what == "predict1";
    const Tensor x = Tensor::random_uniform({one ? 1 : 10000, 784}, 0, 1, 7);
    const PredictOptions options = PredictOptions().batch_size(one ? 32 : 1024);
    float sum = 0;
    for (int64_t i = 0; i < n; ++i) sum += model.predict(x, options).data<float>()[0];
    std::printf("%g\n", sum);
  } else {
    std::fprintf(stderr, "unknown case %s\n", what.c_str());
    return 2;
  }
}
