// The main of the two-rank tests, run by CTest as `mpirun -np 2 test_mpi`. Both ranks run every
// test case in the same order (so their collectives match); rank 0 prints doctest's report,
// rank 1 only its failures. The job fails when either rank has a failure. Without MPI in the
// build, or outside a two-rank job, it says why and exits with 77 (CTest: skipped).
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>

#include "framework/distributed/distributed.h"

namespace dist = nabla::distributed;

int main(int argc, char** argv) {
  if (!dist::built_with_mpi()) {
    std::printf("[test_mpi] skipped: this build of nabla has no MPI: %s\n",
                dist::how_to_enable().c_str());
    return 77;
  }
  if (dist::world_size() != 2) {
    std::printf("[test_mpi] skipped: needs a job of 2 ranks (mpirun -np 2 test_mpi), got %d\n",
                dist::world_size());
    return 77;
  }
  doctest::Context context(argc, argv);
  // mpirun hands the ranks a terminal, but the report goes to logs that scripts/test.sh reads.
  context.setOption("no-colors", true);
  if (dist::rank() != 0) context.setOption("minimal", true);
  const int result = context.run();
  if (context.shouldExit()) return result;
  int64_t failed = result != 0 ? 1 : 0;
  dist::world().all_reduce_sum(&failed, 1);
  return failed ? 1 : 0;
}
