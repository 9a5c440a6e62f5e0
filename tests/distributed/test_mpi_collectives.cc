// Collectives between two real ranks (mpirun -np 2): values on both ranks equal what the
// arithmetic says, the bucketed engine equals a plain all-reduce, and the strategy's checks see
// the other rank.
#include <doctest/doctest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <string>

#include "framework/distributed/bucketed_all_reduce.h"
#include "framework/distributed/distributed.h"
#include "framework/distributed/strategy.h"
#include "framework/nabla.h"

using namespace nabla;
namespace dist = nabla::distributed;

TEST_CASE("the world is the two ranks of this job") {
  CHECK(dist::world_size() == 2);
  CHECK(dist::world().name() == "mpi");
  CHECK(dist::is_distributed());
  CHECK(dist::local_size() == 2);  // one machine
  CHECK(dist::local_rank() == dist::rank());
  CHECK(dist::is_chief() == (dist::rank() == 0));
  const std::vector<std::string> names =
      dist::world().all_gather(std::string(static_cast<size_t>(dist::rank()) * 3 + 1, 'r'));
  CHECK(names == std::vector<std::string>{"r", "rrrr"});
  dist::barrier();
}

TEST_CASE("all_reduce sums and averages several tensors on every rank") {
  const float r = static_cast<float>(dist::rank());
  TensorList ts{Tensor({1.f + r, 10.f * r, -2.f}), Tensor::full({2, 3}, 0.5 + r, DType::Float64),
                Tensor(),  // skipped on both ranks
                Tensor::full({4}, 3.0 + r, DType::Float32)};
  TensorList sums = {ts[0].clone(), ts[1].clone(), Tensor(), ts[3].clone()};
  dist::all_reduce(ts);  // Average
  CHECK(ts[0].to_vector<float>() == std::vector<float>{1.5f, 5.f, -2.f});
  CHECK(ts[1].to_vector<double>() == std::vector<double>(6, 1.0));
  CHECK(ts[3].to_vector<float>() == std::vector<float>(4, 3.5f));
  dist::all_reduce(sums, dist::Reduce::Sum);
  CHECK(sums[0].to_vector<float>() == std::vector<float>{3.f, 10.f, -4.f});
  CHECK(sums[1].to_vector<double>() == std::vector<double>(6, 2.0));

  TensorList ints{Tensor::from_vector<int64_t>({dist::rank() + 1, 100}, {2}),
                  Tensor::from_vector<int32_t>({7}, {1})};
  dist::all_reduce(ints, dist::Reduce::Sum);
  CHECK(ints[0].to_vector<int64_t>() == std::vector<int64_t>{3, 200});
  CHECK(ints[1].to_vector<int32_t>() == std::vector<int32_t>{14});
}

TEST_CASE("a refused all_reduce communicates nothing, and the next one still matches") {
  TensorList ints{Tensor::from_vector<int64_t>({1}, {1})};
  CHECK_THROWS_AS(dist::all_reduce(ints, dist::Reduce::Average), TypeError);
  Tensor one = Tensor({1.f});
  dist::all_reduce(one, dist::Reduce::Sum);
  CHECK(one.item<float>() == 2.f);
}

TEST_CASE("broadcast copies rank 0's (or rank 1's) tensors, strings and variables") {
  const float r = static_cast<float>(dist::rank());
  TensorList ts{Tensor({r, r + 1}), Tensor::full({3}, 10.0 * r, DType::Float64)};
  dist::broadcast(ts, 0);
  CHECK(ts[0].to_vector<float>() == std::vector<float>{0.f, 1.f});
  CHECK(ts[1].to_vector<double>() == std::vector<double>(3, 0.0));
  dist::broadcast(ts, 1);
  CHECK(ts[0].to_vector<float>() == std::vector<float>{0.f, 1.f});  // rank 1 held rank 0's too

  std::string text = dist::rank() == 1 ? "from rank one, longer" : "zero";
  dist::world().broadcast(text, 1);
  CHECK(text == "from rank one, longer");

  Variable w(Tensor::random_normal({5, 4}, 0, 1, 1234 + static_cast<uint64_t>(dist::rank())), "w");
  Variable b(Tensor::full({4}, r), "b");
  dist::MultiWorker().broadcast_variables({w, b});
  Tensor expected = Tensor::random_normal({5, 4}, 0, 1, 1234);
  CHECK(w.value().to_vector<float>() == expected.to_vector<float>());
  CHECK(b.value().to_vector<float>() == std::vector<float>(4, 0.f));
}

TEST_CASE("the bucketed asynchronous all-reduce equals a plain all-reduce, over many steps") {
  // 150 gradients of odd sizes, most carved from one arena (as a plan lays them out) and some
  // allocated apart, so buckets are both in place and packed. Each rank declares them ready in
  // its own order.
  std::mt19937 rng(7);
  std::vector<int64_t> counts(150);
  for (int64_t& c : counts) c = 1 + static_cast<int64_t>(rng() % 3001);
  const int64_t total = std::accumulate(counts.begin(), counts.end(), int64_t{0});
  std::vector<float> arena(static_cast<size_t>(total));
  std::vector<std::vector<float>> apart;
  std::vector<dist::GradientBuffer> buffers;
  int64_t offset = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    if (i % 7 == 3) {
      apart.emplace_back(static_cast<size_t>(counts[i]));
      buffers.push_back({apart.back().data(), counts[i], DType::Float32});
    } else {
      buffers.push_back({arena.data() + offset, counts[i], DType::Float32});
      offset += counts[i];
    }
  }
  dist::BucketedAllReduce reducer(dist::world(), buffers,
                                  dist::BucketOptions().bucket_bytes(20000));
  CHECK(reducer.num_buckets() > 10);
  int packed = 0;
  for (int b = 0; b < reducer.num_buckets(); ++b) packed += reducer.bucket(b).contiguous ? 0 : 1;
  CHECK(packed > 0);
  CHECK(packed < reducer.num_buckets());

  std::vector<int> order(buffers.size());
  std::iota(order.begin(), order.end(), 0);
  std::mt19937 mine(100 + static_cast<unsigned>(dist::rank()));
  for (int step = 0; step < 3; ++step) {
    std::vector<std::vector<float>> expected;
    for (size_t i = 0; i < buffers.size(); ++i) {
      float* p = static_cast<float*>(buffers[i].data);
      for (int64_t k = 0; k < buffers[i].count; ++k)
        p[k] = static_cast<float>((k * 31 + static_cast<int64_t>(i) * 7 + step) % 1000) * 0.125f +
               static_cast<float>(dist::rank()) * 3.f;
      expected.emplace_back(p, p + buffers[i].count);
      dist::world().all_reduce_average(expected.back().data(), buffers[i].count);
    }
    std::shuffle(order.begin(), order.end(), mine);
    for (int i : order) reducer.ready(i);
    reducer.wait_all();
    bool same = true;
    for (size_t i = 0; i < buffers.size(); ++i) {
      const float* p = static_cast<const float*>(buffers[i].data);
      same = same && std::equal(expected[i].begin(), expected[i].end(), p);
    }
    CHECK(same);
  }
}

TEST_CASE("non-blocking requests: start, test until done, wait") {
  std::vector<double> v(1000, 1.0 + dist::rank());
  dist::Request request;
  dist::world().start_all_reduce_sum(v.data(), 1000, DType::Float64, request);
  CHECK(request.active);
  while (!dist::world().test(request)) {
  }
  CHECK_FALSE(request.active);
  dist::world().wait(request);  // a no-op once complete
  CHECK(v == std::vector<double>(1000, 3.0));
}

TEST_CASE("MultiWorker shards a global batch exactly and sums statistics over the ranks") {
  dist::Strategy s = dist::MultiWorker();
  CHECK(s.name() == "MultiWorker (mpi, rank " + std::to_string(dist::rank()) + " of 2)");
  const dist::Shard shard = s.shard(64);
  CHECK(shard.count == 32);
  CHECK(shard.begin == 32 * dist::rank());
  int64_t covered[2] = {shard.begin, shard.count};
  dist::world().all_reduce_sum(covered, 2);
  CHECK(covered[0] == 32);  // 0 + 32
  CHECK(covered[1] == 64);  // every row exactly once
  CHECK_THROWS_AS(s.shard(63), ValueError);

  float stats[2] = {1.f + static_cast<float>(dist::rank()), 10.f};
  s.all_reduce_stats(stats, 2);
  CHECK(stats[0] == 3.f);
  CHECK(stats[1] == 20.f);

  CHECK(s.any_rank(dist::rank() == 1));  // true on rank 1 only: true everywhere
  CHECK_FALSE(s.any_rank(false));
}

TEST_CASE("check_same_on_all_ranks accepts equal fingerprints and names the rank that differs") {
  dist::Strategy s = dist::MultiWorker();
  CHECK_NOTHROW(s.check_same_on_all_ranks("config", "{\"epochs\": 3}"));
  const std::string mine = dist::rank() == 1 ? "{\"epochs\": 4}" : "{\"epochs\": 3}";
  try {
    s.check_same_on_all_ranks("config", mine);
    FAIL("different configs were accepted");
  } catch (const ValueError& e) {
    CHECK(std::string(e.what()) ==
          "config differs between ranks: rank 1 differs from rank 0; every rank must be started "
          "with the same config");
  }
}
