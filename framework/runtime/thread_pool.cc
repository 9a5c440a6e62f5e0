#include "framework/runtime/thread_pool.h"

#include <sched.h>
#include <xmmintrin.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "framework/core/errors.h"

namespace nabla {
namespace {

constexpr unsigned kFlushDenormalBits = 0x8040;  // MXCSR FTZ | DAZ
thread_local bool inside_pool_task = false;

// About 50 microseconds of spinning before a worker blocks (a pause takes ~26 ns on the AMD EPYC
// machines here, ~40 ns on recent Intel cores): long enough to stay awake between the kernels of
// a training step, short enough not to burn a core another thread could use.
constexpr int kSpinIterations = 2000;

void cpu_relax() {
  _mm_pause();
}

}  // namespace

// A region's tasks are claimed through one 64-bit ticket packing (generation, next index, count).
// A thread may claim index i only by a compare-and-swap on the ticket of the generation it read,
// so a worker that wakes late for an old region can never take a task of a newer one, and the
// region's other fields (the task) are stable while any of its tasks is unfinished.
constexpr int kIndexBits = 22, kCountBits = 22;
constexpr uint64_t kIndexMask = (uint64_t{1} << kIndexBits) - 1;
constexpr int64_t kMaxTasks = int64_t{1} << kCountBits;

uint64_t make_ticket(uint64_t generation, uint64_t index, uint64_t count) {
  return (generation << (kIndexBits + kCountBits)) | (index << kCountBits) | count;
}

struct ThreadPool::State {
  std::vector<std::thread> workers;
  std::mutex mutex;
  std::condition_variable wake;
  std::mutex region;  // one parallel region at a time

  std::atomic<uint64_t> generation{0};
  std::atomic<uint64_t> ticket{0};
  std::atomic<bool> quit{false};
  FunctionRef<void(int64_t)>* task = nullptr;
  std::atomic<int64_t> done{0};
  std::atomic<int> sleepers{0};
  // The first exception a task of the current region threw; rethrown by the caller.
  std::mutex error_mutex;
  std::exception_ptr error;

  // Claims and runs tasks of region `gen` until none are left.
  void work_on_region(uint64_t gen) {
    int64_t finished = 0;
    uint64_t t = ticket.load(std::memory_order_acquire);
    while (true) {
      if ((t >> (kIndexBits + kCountBits)) != (gen & ((uint64_t{1} << 20) - 1))) break;
      const uint64_t index = (t >> kCountBits) & kIndexMask;
      const uint64_t count = t & ((uint64_t{1} << kCountBits) - 1);
      if (index >= count) break;
      if (!ticket.compare_exchange_weak(t, t + (uint64_t{1} << kCountBits),
                                        std::memory_order_acq_rel)) {
        continue;  // t was reloaded
      }
      try {
        (*task)(static_cast<int64_t>(index));
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) error = std::current_exception();
      }
      ++finished;
      t = ticket.load(std::memory_order_acquire);
    }
    if (finished) done.fetch_add(finished, std::memory_order_acq_rel);
  }

  void worker_loop() {
    _mm_setcsr(_mm_getcsr() | kFlushDenormalBits);
    inside_pool_task = true;
    uint64_t seen = generation.load(std::memory_order_acquire);
    while (true) {
      uint64_t now = seen;
      for (int spin = 0; spin < kSpinIterations; ++spin) {
        now = generation.load(std::memory_order_acquire);
        if (now != seen || quit.load(std::memory_order_relaxed)) break;
        cpu_relax();
      }
      if (now == seen && !quit.load()) {
        std::unique_lock<std::mutex> lock(mutex);
        sleepers.fetch_add(1);
        wake.wait(lock, [&] { return generation.load() != seen || quit.load(); });
        sleepers.fetch_sub(1);
        now = generation.load();
      }
      if (quit.load()) return;
      seen = now;
      work_on_region(seen);
    }
  }
};

ThreadPool::ThreadPool(int num_threads) : state_(nullptr) {
  start(num_threads);
}

ThreadPool::~ThreadPool() {
  stop();
}

void ThreadPool::start(int n) {
  num_threads_ = std::max(1, n);
  state_ = new State();
  for (int i = 1; i < num_threads_; ++i)
    state_->workers.emplace_back([s = state_] { s->worker_loop(); });
}

void ThreadPool::stop() {
  if (!state_) return;
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->quit = true;
  }
  state_->wake.notify_all();
  for (auto& t : state_->workers) t.join();
  delete state_;
  state_ = nullptr;
}

void ThreadPool::set_num_threads(int n) {
  if (n < 1) throw ValueError("set_num_threads: need at least 1 thread, got " + std::to_string(n));
  if (n == num_threads_) return;
  std::lock_guard<std::mutex> guard(state_->region);
  stop();
  start(n);
}

int ThreadPool::threads_here() const {
  return inside_pool_task ? 1 : num_threads_;
}

void ThreadPool::run(int64_t count, FunctionRef<void(int64_t)> task) {
  if (count <= 0) return;
  if (count == 1 || num_threads_ == 1 || inside_pool_task) {
    for (int64_t i = 0; i < count; ++i) task(i);
    return;
  }
  if (count >= kMaxTasks) {  // beyond what a ticket can count: run in slices
    for (int64_t base = 0; base < count; base += kMaxTasks - 1) {
      const int64_t n = std::min(count - base, kMaxTasks - 1);
      run(n, [&](int64_t i) { task(base + i); });
    }
    return;
  }
  std::unique_lock<std::mutex> region(state_->region, std::try_to_lock);
  if (!region.owns_lock()) {  // another user thread is in a region: do this one serially
    for (int64_t i = 0; i < count; ++i) task(i);
    return;
  }
  State& s = *state_;
  uint64_t gen;
  {
    // Publishing under the mutex pairs with the sleepers' predicate check.
    std::lock_guard<std::mutex> lock(s.mutex);
    s.task = &task;
    s.done.store(0, std::memory_order_relaxed);
    gen = (s.generation.load() + 1) & ((uint64_t{1} << 20) - 1);
    s.ticket.store(make_ticket(gen, 0, static_cast<uint64_t>(count)), std::memory_order_release);
    s.generation.store(gen, std::memory_order_release);
  }
  if (s.sleepers.load() > 0) s.wake.notify_all();
  inside_pool_task = true;
  s.work_on_region(gen);
  inside_pool_task = false;
  for (int spin = 0; s.done.load(std::memory_order_acquire) < count; ++spin) {
    if (spin < kSpinIterations) {
      cpu_relax();
    } else {
      std::this_thread::yield();
    }
  }
  if (s.error) {
    std::exception_ptr e;
    std::swap(e, s.error);
    std::rethrow_exception(e);
  }
}

void ThreadPool::parallel_for(int64_t n, int64_t grain, FunctionRef<void(int64_t, int64_t)> fn) {
  if (n <= 0) return;
  grain = std::max<int64_t>(1, grain);
  int64_t chunks = std::min<int64_t>((n + grain - 1) / grain, 2 * num_threads_);
  if (chunks <= 1 || inside_pool_task) {
    fn(0, n);
    return;
  }
  const int64_t step = (n + chunks - 1) / chunks;
  chunks = (n + step - 1) / step;
  run(chunks, [&](int64_t c) { fn(c * step, std::min(n, (c + 1) * step)); });
}

int available_cores() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}

ThreadPool& ThreadPool::global() {
  static ThreadPool pool([] {
    if (const char* env = std::getenv("NABLA_NUM_THREADS")) {
      int n = std::atoi(env);
      if (n >= 1) return n;
    }
    return available_cores();
  }());
  return pool;
}

int num_threads() {
  return ThreadPool::global().num_threads();
}
void set_num_threads(int n) {
  ThreadPool::global().set_num_threads(n);
}

ScopedFlushDenormals::ScopedFlushDenormals() : saved_(_mm_getcsr()) {
  _mm_setcsr(saved_ | kFlushDenormalBits);
}
ScopedFlushDenormals::~ScopedFlushDenormals() {
  _mm_setcsr(saved_);
}

}  // namespace nabla
