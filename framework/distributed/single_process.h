// The communicator of a process training alone: a world of one, where every collective is a
// no-op.
#pragma once

#include "framework/distributed/communicator.h"

namespace nabla::distributed {

/// A world of one rank. All-reduces and broadcasts leave the data as it is, all_gather returns
/// the one string, barrier returns at once; arguments are still checked as the MPI communicator
/// checks them, so code tested alone fails the same way under mpirun.
class SingleProcessCommunicator final : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  int local_rank() const override { return 0; }
  int local_size() const override { return 1; }
  std::string name() const override { return "single-process"; }

  void all_reduce_sum(void* data, int64_t count, DType dtype) override;
  void broadcast(void* data, int64_t bytes, int root) override;
  std::vector<std::string> all_gather(const std::string& bytes) override { return {bytes}; }
  void barrier() override {}
  void start_all_reduce_sum(void* data, int64_t count, DType dtype, Request& request) override;
  bool test(Request& request) override;
  void wait(Request& request) override { request.active = false; }
  /// Prints "error: <message>" on stderr and exits with status 1.
  [[noreturn]] void abort(const std::string& message) override;

  using Communicator::all_reduce_sum;
  using Communicator::broadcast;
};

/// Throws the errors every communicator throws for a bad buffer before communicating: a null
/// pointer with a non-zero count, a negative count, a type that cannot be summed.
void check_buffer(const void* data, int64_t count, DType dtype, const char* what);

}  // namespace nabla::distributed
