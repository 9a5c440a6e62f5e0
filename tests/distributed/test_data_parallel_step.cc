// The pieces of data-parallel training that run in one process: the collective ops over a
// communicator playing one rank of two (peers hold the same data, so a sum doubles), dropout
// masks by global row, the scheduling of bucket starts, steps of ranks without rows, and a
// single-process model that gets none of it.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <memory>

#include "../keras_test_data.h"
#include "fake_communicator.h"
#include "framework/distributed/collective_group.h"
#include "framework/distributed/strategy.h"
#include "framework/graph/node.h"
#include "framework/keras/data_parallel.h"
#include "framework/keras/train_step.h"
#include "framework/nabla.h"
#include "framework/ops/collective_ops.h"
#include "framework/runtime/plan.h"

using namespace nabla;
using nabla::testing::FakeCommunicator;
namespace dist = nabla::distributed;

namespace {

dist::Strategy fake_strategy(int rank, int size) {
  return dist::Strategy(std::make_shared<FakeCommunicator>(rank, size), 4096);
}

int count_ops(const Graph& g, const std::string& op) {
  int n = 0;
  for (const auto& node : g.nodes()) n += node->op() == op;
  return n;
}

}  // namespace

TEST_CASE("a bucket's start packs its gradients; unpacks take out the mean") {
  FakeCommunicator comm(0, 2);  // the other rank holds the same values: a sum doubles them
  dist::CollectiveGroup group(comm, Device::CPU, 1);
  Graph g;
  auto scope = g.as_default();
  const Tensor share = placeholder(DType::Float32, Shape{}, "share");
  const Tensor a = constant(Tensor({1.f, 2.f, 3.f, 4.f}, {2, 2}));
  const Tensor b = constant(Tensor({10.f, -20.f}));
  const Tensor bucket = all_reduce_start(share, {a, b}, group.id(), 0);
  CHECK(bucket.shape() == Shape{6});
  const Tensor ua = all_reduce_unpack(bucket, group.id(), 0, 0, Shape{2, 2}, 0.5);
  const Tensor ub = all_reduce_unpack(bucket, group.id(), 0, 4, Shape{2}, 0.5);
  Session sess(g);
  for (float s : {1.f, 0.5f}) {  // the share only matters when it is 0
    const TensorList out = sess.run({ua, ub}, {{share, Tensor::scalar(s, DType::Float32)}});
    CHECK(out[0].to_vector<float>() == std::vector<float>{1.f, 2.f, 3.f, 4.f});
    CHECK(out[1].to_vector<float>() == std::vector<float>{10.f, -20.f});
  }
  CHECK(comm.started.size() == 2);  // one non-blocking all-reduce per run
  CHECK(group.stats().bytes == 2 * 6 * 4);
}

TEST_CASE("a rank without rows contributes zeros, even where its gradients are NaN") {
  FakeCommunicator comm(1, 2);
  dist::CollectiveGroup group(comm, Device::CPU, 1);
  Graph g;
  auto scope = g.as_default();
  const Tensor share = placeholder(DType::Float32, Shape{}, "share");
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const Tensor bucket = all_reduce_start(share, {constant(Tensor({nan, 1.f}))}, group.id(), 0);
  const Tensor out = all_reduce_unpack(bucket, group.id(), 0, 0, Shape{2}, 0.5);
  Session sess(g);
  CHECK(sess.run(out, {{share, Tensor::scalar(0.0, DType::Float32)}}).to_vector<float>() ==
        std::vector<float>{0.f, 0.f});
}

TEST_CASE("all_reduce_sum sums over the ranks, and so does its gradient") {
  FakeCommunicator comm(0, 3);
  dist::CollectiveGroup group(comm, Device::CPU, 0);
  Graph g;
  auto scope = g.as_default();
  const Tensor x = placeholder(DType::Float32, Shape{3}, "x");
  const Tensor y = reduce_sum(all_reduce_sum(x, group.id()) * Tensor({1.f, 2.f, 3.f}));
  const TensorList dx = gradients(y, {x});
  Session sess(g);
  const TensorList out = sess.run({y, dx[0]}, {{x, Tensor({1.f, 1.f, 1.f})}});
  CHECK(out[0].item<float>() == 18.f);  // (3 ranks x 1) . (1, 2, 3)
  CHECK(out[1].to_vector<float>() == std::vector<float>{3.f, 6.f, 9.f});
}

TEST_CASE("a collective op whose group is gone says so") {
  int64_t id = 0;
  Graph g;
  auto scope = g.as_default();
  const Tensor x = placeholder(DType::Float32, Shape{1}, "x");
  Tensor y;
  {
    FakeCommunicator comm(0, 2);
    dist::CollectiveGroup group(comm, Device::CPU, 0);
    id = group.id();
    y = all_reduce_sum(x, id);
  }
  Session sess(g);
  CHECK_THROWS_AS(sess.run(y, {{x, Tensor({1.f})}}), StateError);
}

TEST_CASE("dropout with a row offset draws each row's mask as in the whole batch") {
  const Tensor x = Tensor::ones({10, 7});
  const Tensor step = Tensor::scalar(5, DType::Int64);
  const Tensor whole = dropout(x, 0.5, 99, step);
  const Tensor part = dropout(x.rows(4, 10), 0.5, 99, step, Tensor::scalar(4, DType::Int64));
  CHECK(part.to_vector<float>() == whole.rows(4, 10).to_vector<float>());
  const Tensor none = dropout(x.rows(0, 0), 0.5, 99, step, Tensor::scalar(3, DType::Int64));
  CHECK(none.numel() == 0);
  CHECK_THROWS_AS(dropout(x, 0.5, 99, Tensor(), Tensor::scalar(4, DType::Int64)), ValueError);
}

TEST_CASE("a plan runs bucket starts as soon as their gradients exist") {
  auto [x, y] = nabla::testing::spiral_data(10);
  set_seed(3);
  Model model = Sequential({Input({2}), Dense(64, "relu"), Dense(64, "relu"), Dense(3)});
  model.compile(Adam(0.01), "sparse_categorical_crossentropy", {}, fake_strategy(0, 2));
  TrainStep& step = model.train_step();
  REQUIRE(step.data_parallel);
  // 4 KiB buckets: [last layer's and the 64x64 kernel's gradients], [the rest].
  CHECK(step.data_parallel->num_buckets() == 2);
  CHECK(count_ops(step.graph, "AllReduceStart") == 2);
  CHECK(count_ops(step.graph, "AllReduceUnpack") == 6);
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
  CHECK(first_start < last_matmul);  // the first layer's gradient is still to come
}

TEST_CASE("a rank without rows of the last batch runs its step and keeps finite weights") {
  // Rank 1 of 2, 33 rows in batches of 16: the last batch's one row is rank 0's, and rank 1 runs
  // a step of zero rows: zero gradients (share 0), per-rank moving statistics left as they were.
  auto [x, y] = nabla::testing::spiral_data(11);
  set_seed(4);
  Model model = Sequential(
      {Input({2}), Dense(8), BatchNormalization(), Activation("relu"), Dropout(0.3), Dense(3)});
  model.compile(Adam(0.01), "sparse_categorical_crossentropy", {"accuracy"}, fake_strategy(1, 2));
  const History h = model.fit(x, y, FitOptions().epochs(2).batch_size(16).verbose(0));
  CHECK(all_finite(model.weights()));
  for (double loss : h.history.at("loss")) CHECK(std::isfinite(loss));
  CHECK(model.train_step().data_parallel->replica_local().size() == 2);
  const Logs logs = model.evaluate(x, y, EvaluateOptions().batch_size(32).verbose(0));
  CHECK(std::isfinite(logs.at("loss")));
}

TEST_CASE("training alone builds no collective ops and feeds nothing more") {
  auto [x, y] = nabla::testing::spiral_data(10);
  Model model = Sequential({Input({2}), Dense(4, "relu"), Dropout(0.2), Dense(3)});
  model.compile(Adam(0.01), "sparse_categorical_crossentropy");
  model.fit(x, y, FitOptions().epochs(1).verbose(0));
  TrainStep& step = model.train_step();
  CHECK_FALSE(step.data_parallel);
  CHECK(count_ops(step.graph, "AllReduceStart") == 0);
  CHECK(count_ops(step.graph, "AllReduceSum") == 0);
  CHECK(model.strategy().world_size() == 1);
}

TEST_CASE("a strategy of one rank trains as no strategy at all") {
  // Named copies, not a structured binding: clang 14 cannot capture a binding in a lambda.
  const auto data = nabla::testing::spiral_data(10);
  const Tensor x = data.first, y = data.second;
  auto run = [&](bool with_strategy) {
    set_seed(5);
    Model model = Sequential({Input({2}), Dense(8, "relu"), Dropout(0.2), Dense(3)});
    if (with_strategy)
      model.compile(Adam(0.01), "sparse_categorical_crossentropy", {}, fake_strategy(0, 1));
    else
      model.compile(Adam(0.01), "sparse_categorical_crossentropy");
    model.fit(x, y, FitOptions().epochs(2).batch_size(8).seed(3).verbose(0));
    return model.get_weights();
  };
  CHECK(nabla::testing::max_abs_diff(run(true), run(false)) == 0.0);
}
