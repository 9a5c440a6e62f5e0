// How this process was started (under mpirun, srun or alone) and the environment settings of
// the distributed layer.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

namespace nabla::distributed {

/// Reads one environment variable (std::getenv, or a table in tests); nullptr when unset.
using GetEnv = std::function<const char*(const char*)>;

/// What the environment says about the job this process belongs to.
struct LaunchInfo {
  /// True when a launcher started this process (mpirun, mpiexec, srun with PMI or PMIx), or
  /// NABLA_DISTRIBUTED=1 asks for MPI anyway; false alone or with NABLA_DISTRIBUTED=0.
  bool distributed = false;
  /// The world size the launcher announced, or -1 when it does not say (PMIx).
  int size = -1;
  /// This process's rank as the launcher announced it, or -1.
  int rank = -1;
  /// What was seen, for messages: "OMPI_COMM_WORLD_SIZE=2", "NABLA_DISTRIBUTED=0", "".
  std::string evidence;
};

/// Reads the launch from the environment: Open MPI's mpirun (OMPI_COMM_WORLD_SIZE), PMIx
/// launchers (PMIX_RANK), PMI launchers such as MPICH's mpiexec and srun --mpi=pmi2 (PMI_SIZE,
/// PMI_RANK), MVAPICH (MV2_COMM_WORLD_SIZE). NABLA_DISTRIBUTED overrides: 0 (or off, false)
/// forces a single process, 1 (on, true) forces MPI. Any other value is a ValueError.
LaunchInfo detect_launch(const GetEnv& getenv);
/// detect_launch on this process's environment.
LaunchInfo detect_launch();

/// Seconds a collective may wait for its peers before the job is ended: NABLA_COLLECTIVE_TIMEOUT
/// (a number; 0 means no limit), 300 by default. A bad value is a ValueError naming it.
double collective_timeout_seconds(const GetEnv& getenv);
double collective_timeout_seconds();

/// Target size of one gradient bucket: NABLA_BUCKET_BYTES (bytes, > 0), 4 MiB by default.
size_t default_bucket_bytes(const GetEnv& getenv);
size_t default_bucket_bytes();

}  // namespace nabla::distributed
