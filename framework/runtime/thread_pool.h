// One thread pool for the whole library: sized to the machine, settable, never spinning long.
// Internal: programs size it through threads.h.
#pragma once

#include <cstdint>
#include <type_traits>
#include <utility>

#include "framework/runtime/threads.h"

namespace nabla {

/// A non-owning reference to a callable, so parallel regions never allocate.
template <class Sig>
class FunctionRef;
template <class R, class... A>
class FunctionRef<R(A...)> {
 public:
  template <class F, class = std::enable_if_t<!std::is_same_v<std::decay_t<F>, FunctionRef>>>
  FunctionRef(F&& f)  // NOLINT: implicit by design
      : obj_(const_cast<void*>(static_cast<const void*>(&f))), call_([](void* o, A... a) -> R {
          return (*static_cast<std::remove_reference_t<F>*>(o))(std::forward<A>(a)...);
        }) {}
  R operator()(A... a) const { return call_(obj_, std::forward<A>(a)...); }

 private:
  void* obj_;
  R (*call_)(void*, A...);
};

/// The threads that run nabla's kernels. The calling thread always takes part, so a pool of N
/// threads starts N - 1 workers. Workers spin briefly between parallel regions (kernels of one
/// training step come back to back) and then block, so an idle or busy machine is not burned by
/// spinning. Every worker runs with flush-to-zero and denormals-are-zero set.
///
/// Size: NABLA_NUM_THREADS if set, else the cores this process may use; set_num_threads()
/// changes it at any time between runs.
class ThreadPool {
 public:
  static ThreadPool& global();

  explicit ThreadPool(int num_threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  /// Threads that work on a parallel region, the caller included.
  int num_threads() const { return num_threads_; }
  /// Threads a parallel region started on the calling thread gets: 1 inside a task (where run()
  /// is serial), else num_threads(). Kernels size their split by it.
  int threads_here() const;
  void set_num_threads(int n);

  /// Calls task(i) for every i in [0, count), spread over the threads; returns when all are done.
  /// Tasks are taken dynamically, so a slow (descheduled) thread delays at most one task. Called
  /// from inside a task, it runs serially.
  void run(int64_t count, FunctionRef<void(int64_t)> task);

  /// Splits [0, n) into contiguous ranges of at least `grain` elements (about two per thread)
  /// and calls fn(begin, end) for each.
  void parallel_for(int64_t n, int64_t grain, FunctionRef<void(int64_t, int64_t)> fn);

 private:
  struct State;
  void start(int n);
  void stop();
  State* state_;
  int num_threads_ = 1;
};

/// Sets flush-to-zero and denormals-are-zero on this thread while alive, then restores. Tiny
/// gradients otherwise turn into denormals and slow float math down many times.
class ScopedFlushDenormals {
 public:
  ScopedFlushDenormals();
  ~ScopedFlushDenormals();

 private:
  unsigned saved_;
};

}  // namespace nabla
