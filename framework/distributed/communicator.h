// Communicator: the collectives data-parallel training needs, over MPI or in a world of one.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "framework/core/dtype.h"

namespace nabla::distributed {

/// How an all-reduce combines the ranks' values: their sum, or their mean (the sum divided by the
/// world size; floating-point types only).
enum class Reduce { Sum, Average };

/// A non-blocking collective in flight. Filled by Communicator::start_all_reduce_sum and finished
/// by test() or wait(); the buffer it names must not be touched until then. Plain data, so a
/// training step can keep one per bucket and start and finish them without allocating.
struct Request {
  /// The implementation's handle (an MPI_Request's bits).
  uint64_t handle = 0;
  /// True between start and completion.
  bool active = false;
  /// What is in flight, for the message when it never completes ("all-reduce of bucket 3").
  const char* what = "all-reduce";
};

/// The processes of one training job and the collectives between them, in host memory. Every
/// collective must be called by every rank, in the same order, with the same sizes; that is what
/// keeps MPI from hanging, and what the training loop's callers guarantee by running the same
/// program on the same data layout.
///
/// Errors inside a collective never come back as exceptions: a peer waiting in the same collective
/// could not learn about them and would hang. They end the job instead (abort()), on every rank,
/// with "rank R failed: <what>" on stderr. A collective that does not complete within
/// NABLA_COLLECTIVE_TIMEOUT seconds (a peer stopped or died) ends the job the same way.
///
/// Misuse that is the same on every rank (a null buffer, a bad root, an unsupported type) throws
/// before any communication, so no rank is left waiting.
class Communicator {
 public:
  virtual ~Communicator() = default;

  /// This process's index in the job, 0 .. size() - 1.
  virtual int rank() const = 0;
  /// Number of processes in the job.
  virtual int size() const = 0;
  /// This process's index among the processes of its machine (chooses its GPU).
  virtual int local_rank() const = 0;
  /// Number of processes of the job on this machine.
  virtual int local_size() const = 0;
  /// "mpi" or "single-process", for messages.
  virtual std::string name() const = 0;

  /// Replaces `count` elements of `dtype` at `data` (host memory) by their sum over all ranks.
  /// float32, float64, int32 and int64.
  virtual void all_reduce_sum(void* data, int64_t count, DType dtype) = 0;
  /// Copies `bytes` at `data` from rank `root` to every other rank.
  virtual void broadcast(void* data, int64_t bytes, int root) = 0;
  /// Every rank's `bytes`, indexed by rank (small messages: fingerprints, names, sizes).
  virtual std::vector<std::string> all_gather(const std::string& bytes) = 0;
  /// Returns when every rank has called it.
  virtual void barrier() = 0;

  /// Starts an in-place sum all-reduce and returns at once; `request` tracks it. Requests must
  /// be started in the same order on every rank. `count` must fit in an int.
  virtual void start_all_reduce_sum(void* data, int64_t count, DType dtype, Request& request) = 0;
  /// Advances `request` and returns true once it is complete (at once for an inactive one). MPI
  /// progresses non-blocking collectives only inside MPI calls, so calling this now and then
  /// (e.g. as each gradient is produced) is what makes communication overlap computation.
  virtual bool test(Request& request) = 0;
  /// Returns when `request` is complete.
  virtual void wait(Request& request) = 0;

  /// Ends the whole job: prints "rank R failed: <message>" on stderr and terminates every rank
  /// with a non-zero exit status. Never returns.
  [[noreturn]] virtual void abort(const std::string& message) = 0;

  // ---- typed conveniences over the calls above ----

  /// In-place sum of host buffers over all ranks.
  void all_reduce_sum(float* data, int64_t count) { all_reduce_sum(data, count, DType::Float32); }
  void all_reduce_sum(double* data, int64_t count) { all_reduce_sum(data, count, DType::Float64); }
  void all_reduce_sum(int64_t* data, int64_t count) { all_reduce_sum(data, count, DType::Int64); }
  /// In-place mean of host buffers over all ranks.
  void all_reduce_average(float* data, int64_t count);
  void all_reduce_average(double* data, int64_t count);
  /// `reduce` of `count` elements of `dtype`; Average of an integer type is a TypeError.
  void all_reduce(void* data, int64_t count, DType dtype, Reduce reduce);
  /// Rank `root`'s string on every rank (the length is broadcast first).
  void broadcast(std::string& bytes, int root);

 protected:
  /// Throws ValueError unless 0 <= root < size(); `what` names the call.
  void check_root(int root, const char* what) const;
};

/// Multiplies `count` elements of a floating `dtype` at `data` by `factor` (the averaging step).
void scale(void* data, int64_t count, DType dtype, double factor);

}  // namespace nabla::distributed
