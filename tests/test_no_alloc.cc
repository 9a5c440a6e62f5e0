// A training step allocates nothing after the first: fit's allocations do not grow with the
// number of steps. The process's allocation functions are replaced to count calls.
#include <doctest/doctest.h>
#include <malloc.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <thread>
#include <vector>

#include "framework/nabla.h"
#include "framework/runtime/threads.h"

extern "C" {
void* __libc_malloc(size_t);
void* __libc_calloc(size_t, size_t);
void* __libc_realloc(void*, size_t);
void* __libc_memalign(size_t, size_t);
void __libc_free(void*);
}

namespace {
std::atomic<int64_t> allocations{0};
std::atomic<bool> counting{false};
inline void count() {
  if (counting.load(std::memory_order_relaxed)) allocations.fetch_add(1, std::memory_order_relaxed);
}
}  // namespace

extern "C" {
void* malloc(size_t n) {
  count();
  return __libc_malloc(n);
}
void* calloc(size_t n, size_t s) {
  count();
  return __libc_calloc(n, s);
}
void* realloc(void* p, size_t n) {
  count();
  return __libc_realloc(p, n);
}
void free(void* p) {
  __libc_free(p);
}
void* aligned_alloc(size_t a, size_t n) {
  count();
  return __libc_memalign(a, n);
}
void* memalign(size_t a, size_t n) {
  count();
  return __libc_memalign(a, n);
}
int posix_memalign(void** out, size_t a, size_t n) {
  count();
  *out = __libc_memalign(a, n);
  return *out ? 0 : ENOMEM;
}
}

using namespace nabla;

namespace {
// Allocations made by one fit of `steps` full batches (plans already compiled).
int64_t allocations_of_fit(Sequential& model, int64_t steps) {
  const int64_t n = 128 * steps;
  const Tensor x = Tensor::random_uniform({n, 784}, 0, 1, 1);
  const Tensor y = cast(floor(Tensor::random_uniform({n}, 0, 10, 2)), DType::Int32);
  allocations = 0;
  counting = true;
  model.fit(x, y, FitOptions().epochs(1).batch_size(128).verbose(0));
  counting = false;
  return allocations.load();
}

Sequential reference_mlp() {
  set_seed(1);
  Sequential model({Input({784}), Dense(256, "relu"), Dropout(0.1), Dense(128, "relu"), Dense(10)});
  model.compile(
      Adam(1e-3),
      SparseCategoricalCrossentropy(SparseCategoricalCrossentropyOptions().from_logits(true)),
      {"accuracy"});
  return model;
}

// Threads that keep every core busy while they live, so that the pool's workers are preempted
// and the calling thread claims blocks of a parallel product that a worker would claim on an
// idle machine (the timing under which the test once counted one allocation more).
class BusyCores {
 public:
  BusyCores() {
    for (int i = 0; i < 2 * available_cores(); ++i)
      threads_.emplace_back([this] {
        volatile uint64_t x = 0;
        while (!stop_.load(std::memory_order_relaxed)) x = x + 1;
      });
  }
  ~BusyCores() {
    stop_ = true;
    for (std::thread& t : threads_) t.join();
  }

 private:
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
};
}  // namespace

TEST_CASE("a training step of the reference MLP allocates nothing after the first") {
  Sequential model = reference_mlp();
  allocations_of_fit(model, 2);  // compiles the plans
  const int64_t few = allocations_of_fit(model, 4);
  const int64_t many = allocations_of_fit(model, 40);
  CHECK(few > 0);      // the counter works (a fit allocates its bookkeeping)
  CHECK(many == few);  // ...but 36 more steps allocate nothing
}

TEST_CASE("...and the same while other threads keep every core busy") {
  Sequential model = reference_mlp();
  allocations_of_fit(model, 2);
  const int64_t idle = allocations_of_fit(model, 4);
  BusyCores busy;  // started before counting: its threads' own allocations are not counted
  const int64_t few = allocations_of_fit(model, 4);
  const int64_t many = allocations_of_fit(model, 40);
  CHECK(few == idle);  // what a fit allocates does not depend on the machine's load
  CHECK(many == few);
}
