// Data-parallel fit, evaluate and custom loops on two real ranks (mpirun -np 2 test_mpi): each
// rank also trains the same model alone on the whole data, and the two must agree. That holds
// only if every rank reads its shard of the same shuffle, dropout masks follow the global row,
// gradients are averaged with each rank's share of uneven batches, and statistics are summed.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <functional>
#include <string>

#include "../keras_test_data.h"
#include "framework/distributed/distributed.h"
#include "framework/distributed/strategy.h"
#include "framework/graph/node.h"
#include "framework/keras/data_parallel.h"
#include "framework/keras/train_step.h"
#include "framework/nabla.h"
#include "framework/runtime/plan.h"

using namespace nabla;
using namespace nabla::testing;
namespace dist = nabla::distributed;
namespace fs = std::filesystem;

namespace {

using MakeModel = std::function<Model()>;
using MakeOptimizer = std::function<OptimizerRef()>;

// The largest difference between two histories over every key but epoch_seconds.
double history_diff(const History& a, const History& b) {
  double worst = 0;
  for (const auto& entry : a.history) {  // no structured binding: clang 14's REQUIRE_MESSAGE
    const std::string& key = entry.first;
    const auto& values = entry.second;
    if (key == "epoch_seconds") continue;
    REQUIRE_MESSAGE(b.history.count(key), key);
    REQUIRE(b.history.at(key).size() == values.size());
    for (size_t e = 0; e < values.size(); ++e)
      worst = std::max(worst, std::fabs(values[e] - b.history.at(key)[e]));
  }
  return worst;
}

struct Pair {
  Model alone, together;
  History alone_history, together_history;
};

// The same model (same seed) trained alone on this rank and over both ranks.
Pair train_both(const MakeModel& make, const MakeOptimizer& optimizer, LossRef loss,
                const std::vector<MetricRef>& metrics, const Tensor& x, const Tensor& y,
                const FitOptions& options) {
  Pair p;
  set_seed(21);
  p.alone = make();
  p.alone.compile(optimizer(), loss, metrics);
  set_seed(21);
  p.together = make();
  p.together.compile(optimizer(), loss, metrics, dist::MultiWorker());
  p.alone_history = p.alone.fit(x, y, options);
  p.together_history = p.together.fit(x, y, options);
  return p;
}

// A fingerprint of every weight's bytes, gathered from both ranks.
std::vector<std::string> weights_on_ranks(const Model& model) {
  std::string bytes;
  for (const Tensor& w : model.get_weights())
    bytes.append(static_cast<const char*>(w.raw_data()), static_cast<size_t>(w.numel()) * 4);
  return dist::world().all_gather(dist::fingerprint(bytes));
}

// A directory both ranks name alike (rank 0's pid), removed by rank 0 at the end.
struct SharedDir {
  fs::path path;
  SharedDir() {
    std::string name = "nabla_mpi_" + std::to_string(getpid());
    dist::world().broadcast(name, 0);
    path = fs::temp_directory_path() / name;
    if (dist::is_chief()) fs::create_directories(path);
    dist::barrier();
  }
  ~SharedDir() {
    dist::barrier();
    if (dist::is_chief()) fs::remove_all(path);
  }
};

// 3-class spiral, `rows` rows.
std::pair<Tensor, Tensor> spiral(int rows) {
  auto [x, y] = spiral_data((rows + 2) / 3);
  return {x.rows(0, rows), y.rows(0, rows)};
}

Model mlp_with_dropout() {
  return Sequential(
      {Input({2}), Dense(32, "relu"), Dropout(0.25), Dense(16, "tanh"), Dropout(0.1), Dense(3)});
}

LossRef logits_loss() {
  return SparseCategoricalCrossentropy(SparseCategoricalCrossentropyOptions().from_logits(true));
}

}  // namespace

TEST_CASE("two ranks train as one process: SGD with momentum, Dropout, an uneven last batch") {
  // 209 rows, 20% held out: 167 training rows = 5 batches of 32 and one of 7 (4 + 3 rows);
  // 42 validation rows = 32 + 10.
  auto [x, y] = spiral(209);
  const FitOptions options =
      FitOptions().epochs(4).batch_size(32).validation_split(0.2).seed(11).verbose(0);
  Pair p = train_both(
      mlp_with_dropout, [] { return SGD(SGDOptions(0.05).momentum(0.9)); }, logits_loss(),
      {"accuracy"}, x, y, options);
  CHECK(max_abs_diff(p.alone.get_weights(), p.together.get_weights()) < 1e-5);
  CHECK(history_diff(p.alone_history, p.together_history) < 1e-5);
  CHECK(p.together_history.history.at("val_accuracy").size() == 4);
  const std::vector<std::string> on_ranks = weights_on_ranks(p.together);
  CHECK(on_ranks[0] == on_ranks[1]);  // bit for bit the same weights on both ranks
}

TEST_CASE("two ranks train as one process: Adam, Dropout, a last batch of one row") {
  // 161 training rows: 5 batches of 32 and one of 1 row, which rank 1 has none of: its step
  // still runs (for the collectives) and contributes nothing.
  auto [x, y] = spiral(161);
  const FitOptions options = FitOptions().epochs(3).batch_size(32).seed(12).verbose(0);
  Pair p = train_both(
      mlp_with_dropout, [] { return Adam(0.01); }, logits_loss(), {"accuracy"}, x, y, options);
  CHECK(max_abs_diff(p.alone.get_weights(), p.together.get_weights()) < 1e-5);
  CHECK(history_diff(p.alone_history, p.together_history) < 1e-5);
  for (double loss : p.together_history.history.at("loss")) CHECK(std::isfinite(loss));
}

TEST_CASE("two ranks train as one process: GaussianNoise, GaussianDropout, AlphaDropout") {
  // Their noise, like dropout's mask, follows the row's index in the global batch.
  auto [x, y] = spiral(150);
  const FitOptions options = FitOptions().epochs(3).batch_size(30).seed(13).verbose(0);
  Pair p = train_both(
      [] {
        return Sequential({Input({2}), GaussianNoise(0.1), Dense(32, "selu"), AlphaDropout(0.1),
                           Dense(16, "relu"), GaussianDropout(0.2), Dense(3)});
      },
      [] { return Adam(0.01); }, logits_loss(), {"accuracy"}, x, y, options);
  CHECK(max_abs_diff(p.alone.get_weights(), p.together.get_weights()) < 1e-5);
  CHECK(history_diff(p.alone_history, p.together_history) < 1e-5);
}

TEST_CASE("loss and metric statistics are summed over the ranks: AUC, precision, recall") {
  // A binary problem: the epoch's AUC, precision and recall and a sharded evaluate must equal
  // one process's, which only sums of the confusion counts over the ranks give.
  const Tensor x = Tensor::random_normal({150, 4}, 0, 1, 5);
  Tensor y = Tensor::empty({150, 1});
  for (int i = 0; i < 150; ++i)
    y.data<float>()[i] = x.at(4 * i) + 0.5 * x.at(4 * i + 1) > 0.2 ? 1.f : 0.f;
  auto make = [] { return Sequential({Input({4}), Dense(8, "relu"), Dense(1, "sigmoid")}); };
  const FitOptions options =
      FitOptions().epochs(3).batch_size(20).validation_split(0.2).seed(13).verbose(0);
  Pair p = train_both(
      make, [] { return Adam(0.02); }, "binary_crossentropy",
      {"accuracy", "auc", "precision", "recall"}, x, y, options);
  CHECK(history_diff(p.alone_history, p.together_history) < 1e-5);
  for (const char* key : {"auc", "precision", "recall", "val_auc"})
    CHECK_MESSAGE(p.together_history.history.count(key), key);
  const EvaluateOptions eval = EvaluateOptions().batch_size(16).verbose(0);  // 150 = 9 x 16 + 6
  const Logs alone = p.alone.evaluate(x, y, eval);
  const Logs together = p.together.evaluate(x, y, eval);
  for (const auto& entry : alone) {  // no structured binding: clang 14's CAPTURE
    const std::string& key = entry.first;
    const double value = entry.second;
    CAPTURE(key);
    CHECK(together.at(key) == doctest::Approx(value).epsilon(1e-5));
  }
}

TEST_CASE("synchronized BatchNormalization trains as one process") {
  auto [x, y] = spiral(167);
  auto make = [] {
    return Sequential(
        {Input({2}), Dense(16),
         BatchNormalization(BatchNormalizationOptions().synchronized(true).momentum(0.9)),
         Activation("relu"), Dropout(0.2), Dense(3)});
  };
  const FitOptions options = FitOptions().epochs(3).batch_size(24).seed(14).verbose(0);
  Pair p = train_both(
      make, [] { return SGD(SGDOptions(0.05).momentum(0.5)); }, logits_loss(), {"accuracy"}, x, y,
      options);
  CHECK(max_abs_diff(p.alone.get_weights(), p.together.get_weights()) < 1e-5);  // moving too
  CHECK(history_diff(p.alone_history, p.together_history) < 1e-5);
}

TEST_CASE("per-rank BatchNormalization trains to the same accuracy; its statistics agree") {
  // Each rank normalises with its own rows, as Keras's strategies do by default: not the same
  // arithmetic as one process, but the same model quality, and moving statistics averaged over
  // the ranks at each epoch's end (the same on both ranks).
  auto [x, y] = spiral(300);
  auto make = [] {
    return Sequential({Input({2}), Dense(64), BatchNormalization(), Activation("relu"), Dense(64),
                       BatchNormalization(), Activation("relu"), Dense(3)});
  };
  const FitOptions options = FitOptions().epochs(60).batch_size(32).seed(15).verbose(0);
  Pair p = train_both(
      make, [] { return Adam(0.01); }, logits_loss(), {"accuracy"}, x, y, options);
  const double alone = p.alone.evaluate(x, y, EvaluateOptions().verbose(0)).at("accuracy");
  const double together = p.together.evaluate(x, y, EvaluateOptions().verbose(0)).at("accuracy");
  CHECK(alone > 0.9);
  CHECK(together > 0.9);
  CHECK(std::fabs(alone - together) < 0.05);
  CHECK(p.together.train_step().data_parallel->replica_local().size() == 4);
  const std::vector<std::string> on_ranks = weights_on_ranks(p.together);
  CHECK(on_ranks[0] == on_ranks[1]);
}

TEST_CASE("only rank 0 writes checkpoints and logs; every rank sees the same epochs") {
  SharedDir dir;
  auto [x, y] = spiral(96);
  const fs::path mine = dir.path / ("rank" + std::to_string(dist::rank()));
  set_seed(16);
  Model model = mlp_with_dropout();
  model.compile(Adam(0.01), logits_loss(), {"accuracy"}, dist::MultiWorker());
  auto checkpoint = std::make_shared<ModelCheckpoint>((mine / "ckpt-{epoch}.h5").string(),
                                                      ModelCheckpointOptions().monitor("loss"));
  auto csv = std::make_shared<CSVLogger>((mine / "log.csv").string());
  fs::create_directories(mine);
  const History h = model.fit(
      x, y, FitOptions().epochs(2).batch_size(16).verbose(0).callbacks({checkpoint, csv}));
  CHECK(h.epoch == std::vector<int>{0, 1});
  if (dist::is_chief()) {
    CHECK(fs::exists(mine / "ckpt-1.h5"));
    CHECK(fs::exists(mine / "ckpt-2.h5"));
    CHECK(fs::exists(mine / "log.csv"));
  } else {
    CHECK(fs::is_empty(mine));
  }
}

TEST_CASE("a checkpoint resumes with another number of ranks: two to one and one to two") {
  SharedDir dir;
  auto [x, y] = spiral(150);
  const FitOptions options = FitOptions().epochs(3).batch_size(30).seed(17).verbose(0);
  auto make = [] {
    set_seed(18);
    return mlp_with_dropout();
  };
  // Two ranks, three epochs, a checkpoint per epoch (rank 0 writes it).
  Model two = make();
  two.compile(Adam(0.01), logits_loss(), {"accuracy"}, dist::MultiWorker());
  auto ckpt = std::make_shared<ModelCheckpoint>((dir.path / "two-{epoch}.h5").string(),
                                                ModelCheckpointOptions().monitor("loss"));
  two.fit(x, y, FitOptions(options).callbacks({ckpt}));
  // One process, three epochs, each rank on its own (rank 0's file is read by both below).
  Model one = make();
  one.compile(Adam(0.01), logits_loss(), {"accuracy"});
  auto ckpt1 = std::make_shared<ModelCheckpoint>(
      (dir.path / ("one-r" + std::to_string(dist::rank()) + "-{epoch}.h5")).string(),
      ModelCheckpointOptions().monitor("loss"));
  one.fit(x, y, FitOptions(options).callbacks({ckpt1}));
  dist::barrier();  // rank 0's files are complete

  // The two-rank run's epoch-2 checkpoint, finished alone, ends where the two ranks ended.
  Model resumed_alone = load_model((dir.path / "two-2.h5").string());
  resumed_alone.fit(x, y, FitOptions(options).initial_epoch(2));
  CHECK(max_abs_diff(resumed_alone.get_weights(), two.get_weights()) < 1e-5);
  // The one-process run's epoch-1 checkpoint, finished on two ranks, ends where it ended.
  Model resumed_two = load_model((dir.path / "one-r0-1.h5").string());
  resumed_two.set_strategy(dist::MultiWorker());
  resumed_two.fit(x, y, FitOptions(options).initial_epoch(1));
  CHECK(max_abs_diff(resumed_two.get_weights(), one.get_weights()) < 1e-5);
}

TEST_CASE("a GradientTape loop with all_reduce (Horovod's pattern) equals one process") {
  auto [x, y] = spiral(120);
  auto make = [] {
    set_seed(19);
    return Sequential({Input({2}), Dense(16, "relu"), Dense(3)});
  };
  Sequential alone = make(), together = make();
  dist::broadcast_variables(together.weights());  // rank 0's start everywhere
  Adam opt_alone(0.01), opt_together(0.01);
  SparseCategoricalCrossentropy loss_fn(SparseCategoricalCrossentropyOptions().from_logits(true));
  const dist::Strategy strategy = dist::MultiWorker();
  const int64_t global = 40;
  for (int epoch = 0; epoch < 2; ++epoch)
    for (int64_t b = 0; b < 120; b += global) {
      {
        GradientTape tape;
        const Tensor loss = loss_fn(y.rows(b, b + global), alone(x.rows(b, b + global), true));
        opt_alone.apply_gradients(tape.gradient(loss, alone.trainable_weights()),
                                  alone.trainable_weights());
      }
      const dist::Shard s = strategy.shard(global);  // this rank's 20 rows
      const int64_t from = b + s.begin, to = from + s.count;
      GradientTape tape;
      const Tensor loss = loss_fn(y.rows(from, to), together(x.rows(from, to), true));
      TensorList grads = tape.gradient(loss, together.trainable_weights());
      dist::all_reduce(grads);  // the mean over the ranks: the global batch's gradient
      opt_together.apply_gradients(grads, together.trainable_weights());
    }
  CHECK(max_abs_diff(alone.get_weights(), together.get_weights()) < 1e-5);
  const std::vector<std::string> on_ranks = weights_on_ranks(together);
  CHECK(on_ranks[0] == on_ranks[1]);
}

TEST_CASE("a model that differs between ranks is refused on both, before training") {
  auto [x, y] = spiral(64);
  set_seed(20);
  Model model = Sequential({Input({2}), Dense(dist::rank() == 0 ? 8 : 9, "relu"), Dense(3)});
  model.compile(Adam(0.01), logits_loss(), {}, dist::MultiWorker());
  CHECK_THROWS_WITH_AS(model.fit(x, y, FitOptions().epochs(1).batch_size(16).verbose(0)),
                       "model differs between ranks: rank 1 differs from rank 0; every rank must "
                       "be started with the same model",
                       ValueError);
  // So does data of another size.
  Model same = Sequential({Input({2}), Dense(8, "relu"), Dense(3)});
  same.compile(Adam(0.01), logits_loss(), {}, dist::MultiWorker());
  const int64_t rows = dist::rank() == 0 ? 64 : 60;
  CHECK_THROWS_AS(
      same.fit(x.rows(0, rows), y.rows(0, rows), FitOptions().epochs(1).batch_size(16).verbose(0)),
      ValueError);
}

TEST_CASE("a global batch that does not divide by the ranks is refused with the nearest sizes") {
  auto [x, y] = spiral(64);
  Model model = Sequential({Input({2}), Dense(3)});
  model.compile(Adam(0.01), logits_loss(), {}, dist::MultiWorker());
  CHECK_THROWS_WITH_AS(model.fit(x, y, FitOptions().epochs(1).batch_size(15).verbose(0)),
                       "fit: batch_size 15 is the global batch, split evenly across the 2 ranks, "
                       "and does not divide by 2: use 14 (7 per rank) or 16 (8 per rank)",
                       ValueError);
}

TEST_CASE("a data-parallel step holds one bucket start per bucket, scheduled before the rest") {
  auto [x, y] = spiral(64);
  set_seed(22);
  Model model = Sequential({Input({2}), Dense(64, "relu"), Dense(64, "relu"), Dense(3)});
  model.compile(Adam(0.01), logits_loss(), {},
                dist::MultiWorker(dist::MultiWorkerOptions().bucket_bytes(8 * 1024)));
  model.fit(x, y, FitOptions().epochs(1).batch_size(16).verbose(0));
  TrainStep& step = model.train_step();
  REQUIRE(step.data_parallel);
  // 64x64 float32 weights are 16 KiB: buckets of 8 KiB hold the last layer's gradients and the
  // second's (its kernel passes 8 KiB), then the first's.
  CHECK(step.data_parallel->num_buckets() == 2);
  CHECK(step.data_parallel->bytes_per_step() == (2 * 64 + 64 + 64 * 64 + 64 + 64 * 3 + 3) * 4);
  // The last layer's bucket starts before the first layer's gradient is computed.
  auto lease = step.session->acquire({step.train_loss, step.update},
                                     {{step.inputs[0], Shape{8, 2}},
                                      {step.targets[0].labels, Shape{8}},
                                      {step.targets[0].sample_weight, Shape{8}},
                                      {step.data_parallel->row_offset(), Shape{}},
                                      {step.data_parallel->share(), Shape{}}});
  int first_start = -1, last_matmul = -1, i = 0;
  for (const Node* n : lease->executed_nodes()) {
    if (n->op() == "AllReduceStart" && first_start < 0) first_start = i;
    if (n->op() == "MatMul") last_matmul = i;
    ++i;
  }
  CHECK(first_start >= 0);
  CHECK(first_start < last_matmul);
}
