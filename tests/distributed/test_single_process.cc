// The distributed API in a process started alone: a world of one, where every collective leaves
// the data as it is but checks its arguments as it would under mpirun.
#include <doctest/doctest.h>

#include <string>

#include "framework/distributed/distributed.h"
#include "framework/distributed/strategy.h"
#include "framework/nabla.h"

using namespace nabla;
namespace dist = nabla::distributed;

TEST_CASE("alone, the world has one rank, which is the chief") {
  CHECK(dist::world_size() == 1);
  CHECK(dist::rank() == 0);
  CHECK(dist::local_rank() == 0);
  CHECK(dist::local_size() == 1);
  CHECK_FALSE(dist::is_distributed());
  CHECK(dist::is_chief());
  CHECK(dist::world().name() == "single-process");
  dist::barrier();
  CHECK(dist::world().all_gather("abc") == std::vector<std::string>{"abc"});
}

TEST_CASE("alone, all_reduce and broadcast leave eager tensors as they are") {
  TensorList ts{Tensor({1.f, 2.f, 3.f}), Tensor(), Tensor::from_vector<int64_t>({4, 5}, {2})};
  dist::all_reduce(ts, dist::Reduce::Sum);
  CHECK(ts[0].to_vector<float>() == std::vector<float>{1, 2, 3});
  CHECK_FALSE(ts[1].defined());
  CHECK(ts[2].to_vector<int64_t>() == std::vector<int64_t>{4, 5});
  TensorList floats{ts[0]};
  dist::all_reduce(floats);  // Average
  CHECK(floats[0].to_vector<float>() == std::vector<float>{1, 2, 3});
  dist::broadcast(ts, 0);
  CHECK(ts[0].to_vector<float>() == std::vector<float>{1, 2, 3});

  Variable w(Tensor({5.f, 6.f}), "w");
  dist::broadcast_variables({w}, 0);
  CHECK(w.value().to_vector<float>() == std::vector<float>{5, 6});
}

TEST_CASE("bad arguments to the collectives are errors even alone") {
  TensorList ints{Tensor::from_vector<int64_t>({1}, {1})};
  CHECK_THROWS_AS(dist::all_reduce(ints, dist::Reduce::Average), TypeError);
  TensorList bools{Tensor::from_vector<bool>({true}, {1})};
  CHECK_THROWS_AS(dist::all_reduce(bools, dist::Reduce::Sum), TypeError);

  Graph g;
  auto scope = g.as_default();
  TensorList symbolic{placeholder(DType::Float32, {-1, 2}, "x")};
  try {
    dist::all_reduce(symbolic);
    FAIL("a symbolic tensor was accepted");
  } catch (const ValueError& e) {
    CHECK(std::string(e.what()).find("symbolic") != std::string::npos);
  }

  TensorList one{Tensor({1.f})};
  try {
    dist::broadcast(one, 1);
    FAIL("root 1 was accepted in a world of one");
  } catch (const ValueError& e) {
    CHECK(std::string(e.what()).find("root rank 1") != std::string::npos);
  }

  Variable graph_var = g.variable(Tensor::zeros({2}), "not_yet");
  try {
    dist::broadcast_variables({graph_var});
    FAIL("an uninitialised variable was broadcast");
  } catch (const StateError& e) {
    CHECK(std::string(e.what()).find("'not_yet'") != std::string::npos);
  }
}

TEST_CASE("alone, run_or_abort returns the body's result and lets its exceptions through") {
  CHECK(dist::run_or_abort([] { return 42; }) == 42);
  CHECK_THROWS_AS(dist::run_or_abort([]() -> int { throw ValueError("bad"); }), ValueError);
}

TEST_CASE("MultiWorker: a world of one alone, or a clear error in a build without MPI") {
  if (dist::built_with_mpi()) {
    dist::Strategy s = dist::MultiWorker(dist::MultiWorkerOptions().bucket_bytes(1024));
    CHECK(s.world_size() == 1);
    CHECK(s.is_chief());
    CHECK(s.bucket_bytes() == 1024);
    CHECK(s.shard(10).count == 10);
  } else {
    try {
      dist::MultiWorker();
      FAIL("MultiWorker() worked without MPI");
    } catch (const StateError& e) {
      const std::string m = e.what();
      CHECK(m.find("no MPI") != std::string::npos);
      CHECK(m.find("libopenmpi-dev") != std::string::npos);
      CHECK(m.find("mpirun") != std::string::npos);
    }
  }
  CHECK(dist::how_to_enable().find("NABLA_MPI=ON") != std::string::npos);
}
