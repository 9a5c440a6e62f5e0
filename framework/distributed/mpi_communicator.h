// The MPI implementation of Communicator: framework/distributed/mpi/mpi_communicator.cc in builds
// with MPI, framework/distributed/mpi/no_mpi.cc (which refuses) without.
#pragma once

#include "framework/distributed/communicator.h"

namespace nabla::distributed {

/// Initialises MPI (MPI_Init_thread with MPI_THREAD_SERIALIZED, unless the program already did)
/// and returns the communicator of MPI_COMM_WORLD: a duplicate of it with MPI_ERRORS_RETURN, so
/// failures come back to nabla, which ends the job with a message naming the rank. At exit it
/// waits (at most NABLA_COLLECTIVE_TIMEOUT) for every rank to reach the end and finalises MPI
/// when it initialised it. Installs a std::terminate handler that reports an uncaught exception
/// as "rank R failed: <what>" and aborts the job. Called once, by world().
Communicator* make_mpi_communicator();

/// "Open MPI v4.1.4, ..." (MPI_Get_library_version), for messages and benchmarks; "" without MPI.
std::string mpi_library_version();

}  // namespace nabla::distributed
