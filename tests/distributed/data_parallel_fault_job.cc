// A data-parallel fit on two ranks in which rank 1 fails in the middle of its third epoch, after
// rank 0 has written a checkpoint at the end of each of the first two. CTest runs it under mpirun
// through expect_job_failure.cmake, which checks that the job ends non-zero within seconds with a
// message naming rank 1, and then runs the `check` mode alone: the last checkpoint must load, as
// the model of two complete epochs.
//
//   mpirun -np 2 data_parallel_fault_job kill DIR    rank 1 is killed (SIGKILL)
//   mpirun -np 2 data_parallel_fault_job throw DIR   rank 1 throws (its exception ends the job)
//   data_parallel_fault_job check DIR                DIR/ckpt.h5 loads, 2 epochs of steps
#include <signal.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "../keras_test_data.h"
#include "framework/nabla.h"

using namespace nabla;
namespace dist = nabla::distributed;
namespace fs = std::filesystem;

namespace {

constexpr int kStepsPerEpoch = 10;  // 300 rows in global batches of 30

int train(const std::string& mode, const fs::path& dir) {
  if (dist::is_chief()) {
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  dist::barrier();
  auto [x, y] = testing::spiral_data(100);
  set_seed(1);
  Model model = Sequential({Input({2}), Dense(32, "relu"), Dropout(0.1), Dense(3)});
  model.compile(Adam(0.01), "sparse_categorical_crossentropy", {"accuracy"}, dist::MultiWorker());
  auto checkpoint = std::make_shared<ModelCheckpoint>((dir / "ckpt.h5").string(),
                                                      ModelCheckpointOptions().monitor("loss"));
  auto fail = std::make_shared<LambdaCallback>();
  int epoch = 0;
  fail->on_epoch_begin_fn = [&](int e, const Logs&) { epoch = e; };
  fail->on_batch_end_fn = [&](int batch, const Logs&) {
    if (dist::rank() != 1 || epoch != 2 || batch != 3) return;
    if (mode == "kill") raise(SIGKILL);
    throw ValueError("injected failure in epoch 3");
  };
  model.fit(x, y, FitOptions().epochs(5).batch_size(30).verbose(0).callbacks({checkpoint, fail}));
  return 0;
}

int check(const fs::path& dir) {
  Model model = load_model((dir / "ckpt.h5").string());
  const int64_t steps = model.optimizer().iterations_value();
  std::printf("%s loads: %lld steps\n", (dir / "ckpt.h5").c_str(), static_cast<long long>(steps));
  return steps == 2 * kStepsPerEpoch ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 2 ? argv[1] : "";
  if (mode != "kill" && mode != "throw" && mode != "check") {
    std::fprintf(stderr,
                 "usage: mpirun -np 2 data_parallel_fault_job kill|throw DIR\n"
                 "       data_parallel_fault_job check DIR\n");
    return 2;
  }
  const fs::path dir = argv[2];
  if (mode == "check") return check(dir);
  if (!dist::built_with_mpi()) {
    std::printf("[test_mpi] skipped: this build of nabla has no MPI\n");
    return 77;
  }
  if (dist::world_size() != 2) {
    std::fprintf(stderr, "data_parallel_fault_job: needs 2 ranks, got %d\n", dist::world_size());
    return 2;
  }
  return dist::run_or_abort([&] { return train(mode, dir); });
}
