// The thread pool: every task runs once, errors propagate, sizes change.
#include <doctest/doctest.h>

#include <atomic>
#include <vector>

#include "framework/nabla.h"
#include "framework/runtime/thread_pool.h"

using namespace nabla;

TEST_CASE("every task of a region runs exactly once, many regions in a row") {
  ThreadPool pool(3);
  std::vector<std::atomic<int>> hits(1000);
  for (int round = 0; round < 200; ++round)
    pool.run(1000, [&](int64_t i) { hits[i].fetch_add(1); });
  for (auto& h : hits) REQUIRE(h.load() == 200);
  std::atomic<int64_t> sum{0};
  pool.parallel_for(100000, 10, [&](int64_t lo, int64_t hi) {
    int64_t s = 0;
    for (int64_t i = lo; i < hi; ++i) s += i;
    sum += s;
  });
  CHECK(sum.load() == int64_t{100000} * 99999 / 2);
}

TEST_CASE("an exception in a task reaches the caller") {
  ThreadPool pool(2);
  CHECK_THROWS_WITH(pool.run(100,
                             [](int64_t i) {
                               if (i == 57) throw ValueError("task 57 failed");
                             }),
                    "task 57 failed");
  int ran = 0;
  pool.run(1, [&](int64_t) { ++ran; });  // still usable
  CHECK(ran == 1);
}

TEST_CASE("the global pool can be resized") {
  const int before = num_threads();
  set_num_threads(1);
  CHECK(num_threads() == 1);
  set_num_threads(2);
  CHECK(num_threads() == 2);
  set_num_threads(before);
  CHECK_THROWS_AS(set_num_threads(0), ValueError);
  CHECK(available_cores() >= 1);
}
