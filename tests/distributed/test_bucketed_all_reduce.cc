// The gradient bucketing engine in one process, over a communicator that plays one rank of two
// (every peer holds the same values, so a sum doubles them and an average gives them back).
#include <doctest/doctest.h>

#include <numeric>
#include <vector>

#include "fake_communicator.h"
#include "framework/core/errors.h"
#include "framework/distributed/bucketed_all_reduce.h"

using namespace nabla;
using namespace nabla::distributed;
using nabla::testing::FakeCommunicator;

namespace {

// Buffers of the given float counts carved one after another from `arena` (contiguous).
std::vector<GradientBuffer> carve(std::vector<float>& arena, const std::vector<int64_t>& counts) {
  arena.assign(static_cast<size_t>(std::accumulate(counts.begin(), counts.end(), int64_t{0})), 0.f);
  std::vector<GradientBuffer> out;
  float* p = arena.data();
  for (int64_t n : counts) {
    out.push_back({p, n, DType::Float32});
    p += n;
  }
  return out;
}

void fill(std::vector<float>& v, float base) {
  for (size_t i = 0; i < v.size(); ++i) v[i] = base + static_cast<float>(i % 97) * 0.25f;
}

}  // namespace

TEST_CASE("buffers are grouped in order into buckets of at least bucket_bytes, one dtype each") {
  FakeCommunicator comm(0, 2);
  std::vector<float> a(10), b(30), c(5), e(100);
  std::vector<double> d(4);
  std::vector<GradientBuffer> buffers{{a.data(), 10, DType::Float32},
                                      {b.data(), 30, DType::Float32},
                                      {c.data(), 5, DType::Float32},
                                      {d.data(), 4, DType::Float64},
                                      {e.data(), 100, DType::Float32}};
  BucketedAllReduce r(comm, buffers, BucketOptions().bucket_bytes(64));
  // 10 floats = 40 bytes < 64, so b joins: 160 bytes closes the bucket; c alone (the dtype
  // changes after it); d; e alone.
  REQUIRE(r.num_buckets() == 4);
  CHECK(r.bucket(0).first == 0);
  CHECK(r.bucket(0).end == 2);
  CHECK(r.bucket(0).count == 40);
  CHECK(r.bucket(0).bytes == 160);
  CHECK(r.bucket(1).first == 2);
  CHECK(r.bucket(1).end == 3);
  CHECK(r.bucket(2).dtype == DType::Float64);
  CHECK(r.bucket(3).count == 100);
  CHECK(r.bucket_of(1) == 0);
  CHECK(r.bucket_of(3) == 2);
  CHECK(r.bytes_per_step() == 10 * 4 + 30 * 4 + 5 * 4 + 4 * 8 + 100 * 4);
  CHECK(r.describe().find("bucket 3: buffers 4-4, 100 float32") != std::string::npos);
}

TEST_CASE("a bucket whose buffers tile one range is reduced in place; one with gaps is packed") {
  FakeCommunicator comm(0, 2);
  std::vector<float> arena;
  std::vector<GradientBuffer> buffers = carve(arena, {3, 7, 11});
  std::vector<GradientBuffer> reversed(buffers.rbegin(), buffers.rend());  // backward order
  BucketedAllReduce in_place(comm, reversed, BucketOptions().bucket_bytes(1 << 20));
  REQUIRE(in_place.num_buckets() == 1);
  CHECK(in_place.bucket(0).contiguous == arena.data());

  std::vector<float> x(4), y(4);
  BucketedAllReduce packed(comm, {{x.data(), 4, DType::Float32}, {y.data(), 4, DType::Float32}},
                           BucketOptions().bucket_bytes(1 << 20));
  // Two separate vectors are not adjacent (the allocator keeps headers between them).
  CHECK(packed.bucket(0).contiguous == nullptr);
}

TEST_CASE("buckets start in index order whatever order their buffers become ready in") {
  FakeCommunicator comm(1, 2);
  std::vector<std::vector<float>> grads;
  std::vector<GradientBuffer> buffers;
  for (int i = 0; i < 6; ++i) grads.emplace_back(8, 1.f + i);  // 32 bytes each
  for (auto& g : grads) buffers.push_back({g.data(), 8, DType::Float32});
  BucketedAllReduce r(comm, buffers, BucketOptions().bucket_bytes(64));  // 3 buckets of 2
  REQUIRE(r.num_buckets() == 3);

  r.ready(5);
  r.ready(4);  // bucket 2 complete, but bucket 0 has not started: nothing may start yet
  CHECK(comm.started.empty());
  r.ready(0);
  CHECK(comm.started.empty());
  r.ready(1);  // bucket 0 complete: it starts, then nothing (bucket 1 waits), bucket 2 waits
  REQUIRE(comm.started.size() == 1);
  CHECK(comm.started[0].count == 16);
  r.ready(3);
  r.ready(2);  // bucket 1 complete: 1 and then 2 start
  REQUIRE(comm.started.size() == 3);
  CHECK(comm.started[1].data != comm.started[2].data);
  r.wait_all();
  for (int i = 0; i < 6; ++i) CHECK(grads[i] == std::vector<float>(8, 1.f + i));  // averaged
}

TEST_CASE("averaging and summing give the reduced values in every buffer, step after step") {
  FakeCommunicator comm(0, 2);
  std::vector<float> arena;
  std::vector<GradientBuffer> buffers = carve(arena, {1, 13, 257, 3, 1000, 7});
  std::vector<float> loose(33);  // not adjacent to the arena: its bucket is packed
  buffers.insert(buffers.begin() + 2, {loose.data(), 33, DType::Float32});
  std::vector<double> doubles(9, 0.5);
  buffers.push_back({doubles.data(), 9, DType::Float64});

  for (Reduce reduce : {Reduce::Average, Reduce::Sum}) {
    BucketedAllReduce r(comm, buffers, BucketOptions().bucket_bytes(256).reduce(reduce));
    CHECK(r.num_buckets() >= 4);
    for (int step = 0; step < 3; ++step) {
      fill(arena, static_cast<float>(step));
      fill(loose, -1.f - static_cast<float>(step));
      std::fill(doubles.begin(), doubles.end(), 0.5 + step);
      std::vector<float> arena_before = arena, loose_before = loose;
      for (int i = r.num_buffers() - 1; i >= 0; --i) r.ready(i);
      r.wait_all();
      const float factor = reduce == Reduce::Average ? 1.f : 2.f;
      for (size_t i = 0; i < arena.size(); ++i) REQUIRE(arena[i] == arena_before[i] * factor);
      for (size_t i = 0; i < loose.size(); ++i) REQUIRE(loose[i] == loose_before[i] * factor);
      CHECK(doubles[0] == (0.5 + step) * factor);
    }
  }
}

TEST_CASE("start() and poll() drive buckets explicitly") {
  FakeCommunicator comm(0, 2);
  std::vector<float> a(4, 3.f), b(4, 5.f);
  BucketedAllReduce r(comm, {{a.data(), 4, DType::Float32}, {b.data(), 4, DType::Float32}},
                      BucketOptions().bucket_bytes(16).reduce(Reduce::Sum));
  REQUIRE(r.num_buckets() == 2);
  r.start(1);  // also starts bucket 0, first
  REQUIRE(comm.started.size() == 2);
  CHECK(comm.started[0].data == a.data());
  CHECK_FALSE(r.poll());  // the fake completes a request on its second test
  bool done = false;
  for (int i = 0; i < 4 && !done; ++i) done = r.poll();
  CHECK(done);
  r.wait_all();
  CHECK(a == std::vector<float>(4, 6.f));
  CHECK(b == std::vector<float>(4, 10.f));
}

TEST_CASE("rebind points a buffer at new memory between steps") {
  FakeCommunicator comm(0, 2);
  std::vector<float> arena;
  std::vector<GradientBuffer> buffers = carve(arena, {4, 4});
  BucketedAllReduce r(comm, buffers, BucketOptions().reduce(Reduce::Sum));
  CHECK(r.bucket(0).contiguous != nullptr);
  std::vector<float> moved(4, 2.f);
  r.rebind(1, moved.data());
  CHECK(r.bucket(0).contiguous == nullptr);  // now packed
  std::fill(arena.begin(), arena.end(), 1.f);
  r.ready(0);
  CHECK_THROWS_AS(r.rebind(0, arena.data()), StateError);  // mid-step
  r.ready(1);
  r.wait_all();
  CHECK(moved == std::vector<float>(4, 4.f));
  CHECK(arena[0] == 2.f);
  CHECK(arena[4] == 1.f);  // no longer a buffer
}

TEST_CASE("misuse is an error before any communication") {
  FakeCommunicator comm(0, 2);
  std::vector<float> a(4);
  std::vector<int64_t> counts(4);
  CHECK_THROWS_AS(BucketedAllReduce(comm, {{nullptr, 4, DType::Float32}}), ValueError);
  CHECK_THROWS_AS(BucketedAllReduce(comm, {{a.data(), -1, DType::Float32}}), ValueError);
  CHECK_THROWS_AS(BucketedAllReduce(comm, {{counts.data(), 4, DType::Int64}}), TypeError);
  BucketedAllReduce sums(comm, {{counts.data(), 4, DType::Int64}},
                         BucketOptions().reduce(Reduce::Sum));
  BucketedAllReduce r(comm, {{a.data(), 4, DType::Float32}});
  CHECK_THROWS_AS(r.ready(1), ValueError);
  CHECK_THROWS_AS(r.start(3), ValueError);
  r.ready(0);
  CHECK_THROWS_AS(r.ready(0), StateError);
  r.wait_all();
  r.ready(0);  // a new step
  r.wait_all();
  CHECK(comm.started.size() == 2);
}

TEST_CASE("in a world of one nothing is communicated and the values stay") {
  SingleProcessCommunicator comm;
  std::vector<float> a(5, 7.f), b(3, 1.f);
  BucketedAllReduce r(comm, {{a.data(), 5, DType::Float32}, {b.data(), 3, DType::Float32}});
  r.ready(1);
  r.ready(0);
  r.wait_all();
  CHECK(a == std::vector<float>(5, 7.f));
  CHECK(b == std::vector<float>(3, 1.f));
}
