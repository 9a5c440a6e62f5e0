// A two-rank job in which rank 1 fails in the way argv[1] names, while rank 0 keeps calling
// all-reduces. CTest runs it under mpirun through expect_job_failure.cmake, which checks that the
// whole job then ends non-zero within seconds, with a message naming what failed:
//
//   throw      rank 1 throws inside run_or_abort         -> "rank 1 failed: injected failure"
//   uncaught   rank 1 throws out of main                 -> "rank 1 failed: uncaught exception"
//   kill       rank 1 is killed by SIGKILL               -> mpirun names rank 1
//   stall      rank 1 stops calling collectives          -> rank 0's collective times out
//   early      rank 1 returns from main mid-training     -> the collective or exit barrier times
//   out
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "framework/core/errors.h"
#include "framework/distributed/distributed.h"

namespace dist = nabla::distributed;

namespace {

// Returns when the failure was injected ("early"), or after 100000 steps (never, in practice).
int train(const std::string& mode) {
  float value = 1.f;
  for (int step = 0; step < 100000; ++step) {
    if (dist::rank() == 1 && step == 50) {
      if (mode == "throw" || mode == "uncaught")
        throw nabla::ValueError("injected failure at step 50");
      if (mode == "kill") raise(SIGKILL);
      if (mode == "stall") sleep(120);
      if (mode == "early") return 0;
    }
    dist::world().all_reduce_sum(&value, 1);
    value = 1.f;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (!dist::built_with_mpi()) {
    std::printf("[test_mpi] skipped: this build of nabla has no MPI\n");
    return 77;
  }
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode != "throw" && mode != "uncaught" && mode != "kill" && mode != "stall" &&
      mode != "early") {
    std::fprintf(stderr, "usage: mpirun -np 2 mpi_fault_job throw|uncaught|kill|stall|early\n");
    return 2;
  }
  if (dist::world_size() != 2) {
    std::fprintf(stderr, "mpi_fault_job: needs 2 ranks, got %d\n", dist::world_size());
    return 2;
  }
  if (mode == "uncaught") return train(mode);
  return dist::run_or_abort([&] { return train(mode); });
}
