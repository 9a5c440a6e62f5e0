// The MPI communicator's class, shared by mpi_communicator.cc (the collectives) and
// mpi_failures.cc (waiting with a deadline, errors, abort, exit). Only these two files, compiled
// in builds with MPI (cmake/mpi.cmake), see MPI's headers.
#pragma once

#include <mpi.h>

#include <mutex>
#include <string>
#include <vector>

#include "framework/distributed/communicator.h"

namespace nabla::distributed {

/// Communicator over a duplicate of MPI_COMM_WORLD with MPI_ERRORS_RETURN. Every collective is
/// started non-blocking and waited for with a deadline (wait_for), so a rank whose peer died or
/// stopped calling collectives ends the job with a message instead of hanging; MPI errors end the
/// job the same way (check). One mutex serialises the MPI calls (MPI_THREAD_SERIALIZED), so a
/// training step may start and test requests from whichever thread runs its kernels.
class MpiCommunicator final : public Communicator {
 public:
  /// Initialises MPI unless the program did, and duplicates MPI_COMM_WORLD.
  MpiCommunicator();

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  int local_rank() const override { return local_rank_; }
  int local_size() const override { return local_size_; }
  std::string name() const override { return "mpi"; }

  void all_reduce_sum(void* data, int64_t count, DType dtype) override;
  void broadcast(void* data, int64_t bytes, int root) override;
  std::vector<std::string> all_gather(const std::string& bytes) override;
  void barrier() override;
  void start_all_reduce_sum(void* data, int64_t count, DType dtype, Request& request) override;
  bool test(Request& request) override;
  void wait(Request& request) override;
  [[noreturn]] void abort(const std::string& message) override;

  /// At exit: waits (with the deadline) for every rank to get there, then finalises MPI if it
  /// initialised it. A rank returning from main while its peers are still inside collectives
  /// would otherwise hang in MPI_Finalize with them.
  void finalize_at_exit();

  using Communicator::all_reduce_sum;
  using Communicator::broadcast;

 private:
  /// Runs one MPI call under the mutex and ends the job if it fails.
  template <class F>
  void call(F&& f, const char* what) {
    int rc;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      rc = f();
    }
    check(rc, what);
  }
  /// Ends the job with MPI's message for `rc` unless it is MPI_SUCCESS.
  void check(int rc, const char* what);
  /// MPI_Wait with the NABLA_COLLECTIVE_TIMEOUT deadline; `what` names the collective.
  void wait_for(MPI_Request& request, const char* what);

  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0, size_ = 1, local_rank_ = 0, local_size_ = 1;
  bool owns_mpi_ = false;
  bool aborted_ = false;
  double timeout_;
  std::mutex mutex_;
};

}  // namespace nabla::distributed
