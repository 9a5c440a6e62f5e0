// Strategy's arithmetic and checks, over a communicator playing one rank of a larger world.
#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "fake_communicator.h"
#include "framework/distributed/strategy.h"
#include "framework/nabla.h"

using namespace nabla;
using namespace nabla::distributed;
using nabla::testing::FakeCommunicator;

namespace {

Strategy strategy_of(int rank, int size, std::shared_ptr<FakeCommunicator>* keep = nullptr) {
  auto comm = std::make_shared<FakeCommunicator>(rank, size);
  if (keep) *keep = comm;
  return Strategy(comm, 4096);
}

std::string value_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const ValueError& e) {
    return e.what();
  }
  return "(no ValueError)";
}

}  // namespace

TEST_CASE("shard splits a global batch into equal consecutive parts, one per rank") {
  for (int r = 0; r < 3; ++r) {
    const Shard s = strategy_of(r, 3).shard(99);
    CHECK(s.begin == 33 * r);
    CHECK(s.count == 33);
  }
  const std::string m = value_error([] { strategy_of(0, 3).shard(100, "fit.batch_size"); });
  CHECK(m.find("fit.batch_size 100") != std::string::npos);
  CHECK(m.find("global batch") != std::string::npos);
  CHECK(m.find("3 ranks") != std::string::npos);
  CHECK(m.find("99 (33 per rank) or 102 (34 per rank)") != std::string::npos);
  // Smaller than the world: only the size above makes sense.
  const std::string small = value_error([] { strategy_of(0, 4).shard(2); });
  CHECK(small.find("use 4 (1 per rank)") != std::string::npos);
  CHECK(value_error([] { strategy_of(0, 2).shard(0); }).find("positive") != std::string::npos);
}

TEST_CASE("shard_uneven covers every row once, the first ranks taking one more") {
  const int64_t rows = 10;
  int64_t next = 0;
  for (int r = 0; r < 3; ++r) {
    const Shard s = strategy_of(r, 3).shard_uneven(rows);
    CHECK(s.begin == next);
    CHECK(s.count == (r == 0 ? 4 : 3));
    next += s.count;
  }
  CHECK(next == rows);
  const Shard empty = strategy_of(2, 3).shard_uneven(2);
  CHECK(empty.count == 0);
  CHECK(empty.begin == 2);
}

TEST_CASE("check_same_on_all_ranks names the ranks whose fingerprint differs from rank 0's") {
  std::shared_ptr<FakeCommunicator> comm;
  Strategy s = strategy_of(0, 3, &comm);
  comm->peers_gather = {"", fingerprint("config A"), fingerprint("config A")};
  CHECK_NOTHROW(s.check_same_on_all_ranks("config", "config A"));

  comm->peers_gather = {"", fingerprint("config A"), fingerprint("config B")};
  const std::string one = value_error([&] { s.check_same_on_all_ranks("config", "config A"); });
  CHECK(one ==
        "config differs between ranks: rank 2 differs from rank 0; every rank must be "
        "started with the same config");

  comm->peers_gather = {"", fingerprint("x"), fingerprint("y")};
  const std::string two =
      value_error([&] { s.check_same_on_all_ranks("the model's weight shapes", "z"); });
  CHECK(two.find("ranks 1, 2 differ from rank 0") != std::string::npos);
  CHECK(two.find("the model's weight shapes") == 0);
}

TEST_CASE("statistics are summed over ranks") {
  Strategy s = strategy_of(1, 4);
  float f[3] = {1.f, 2.f, 0.5f};
  s.all_reduce_stats(f, 3);
  CHECK(f[0] == 4.f);
  CHECK(f[2] == 2.f);
  double d[2] = {3.0, -1.0};
  s.all_reduce_stats(d, 2);
  CHECK(d[0] == 12.0);
  CHECK(d[1] == -4.0);
  int64_t counts[2] = {5, 0};
  s.all_reduce_stats(counts, 2);
  CHECK(counts[0] == 20);
  CHECK(counts[1] == 0);
  CHECK(s.any_rank(true));
  CHECK_FALSE(s.any_rank(false));
}

TEST_CASE("who does what: the chief, the device, the reducer") {
  Strategy worker = strategy_of(1, 2);
  CHECK(worker.is_distributed());
  CHECK_FALSE(worker.is_chief());
  CHECK(strategy_of(0, 2).is_chief());
  CHECK(worker.name() == "MultiWorker (fake, rank 1 of 2)");
  CHECK(worker.device_for(Device::CPU) == Device::CPU);
  CHECK(worker.device_for(Device::CUDA(0)) == Device::CUDA(1));  // its local rank
  CHECK(worker.bucket_bytes() == 4096);

  // 4000 bytes stay under the 4096-byte target, so the second buffer joins the first bucket.
  std::vector<float> g(3000, 1.f);
  auto reducer = worker.make_gradient_reducer({{g.data(), 1000, DType::Float32},
                                               {g.data() + 1000, 1000, DType::Float32},
                                               {g.data() + 2000, 1000, DType::Float32}});
  CHECK(reducer->num_buckets() == 2);
  CHECK(reducer->bucket(0).end == 2);
  CHECK(reducer->options().reduce() == Reduce::Average);
}

TEST_CASE("the default strategy is one process doing everything") {
  Strategy s;
  CHECK_FALSE(s.is_distributed());
  CHECK(s.is_chief());
  CHECK(s.name() == "single process");
  CHECK(s.shard(7).count == 7);
  CHECK(s.device_for(Device::CUDA(0)) == Device::CUDA(0));
  Variable v(Tensor({1.f, 2.f}), "v");
  s.broadcast_variables({v});
  CHECK(v.value().to_vector<float>() == std::vector<float>{1, 2});
  CHECK_NOTHROW(s.check_same_on_all_ranks("config", "anything"));
  CHECK(SingleDevice().world_size() == 1);
}

TEST_CASE("fingerprints are fixed hashes; describe_shapes lists names, dtypes and shapes") {
  CHECK(fingerprint("") == "cbf29ce484222325");  // FNV-1a's offset basis
  CHECK(fingerprint("a") == "af63dc4c8601ec8c");
  CHECK(fingerprint("config A") != fingerprint("config B"));
  Variable k(Tensor::zeros({4, 16}), "dense/kernel:0");
  Variable b(Tensor::zeros({16}), "dense/bias:0");
  const std::string text = describe_shapes({k, b});
  CHECK(text.find("dense/kernel:0 float32 (4, 16)\n") == 0);
  CHECK(text.find("dense/bias:0 float32 (16,)\n") != std::string::npos);
}
