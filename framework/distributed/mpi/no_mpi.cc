// Stands in for mpi_communicator.cc in builds without MPI (cmake/mpi.cmake): the world then
// always has one rank.
#include "framework/core/errors.h"
#include "framework/distributed/distributed.h"
#include "framework/distributed/mpi_communicator.h"

namespace nabla::distributed {

bool built_with_mpi() {
  return false;
}

Communicator* make_mpi_communicator() {
  throw StateError("this build of nabla has no MPI; " + how_to_enable());
}

std::string mpi_library_version() {
  return "";
}

}  // namespace nabla::distributed
