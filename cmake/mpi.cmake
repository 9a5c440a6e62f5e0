# MPI for multi-process training (framework/distributed). NABLA_MPI=AUTO builds it when MPI's C
# library is found, ON requires it, OFF never looks. Without it the library builds as before,
# the world has one rank, and MultiWorker() says how to enable it. Sets NABLA_WITH_MPI (ON/OFF)
# and, when found, MPIEXEC_EXECUTABLE for the tests.
#
# Only framework/distributed/mpi/mpi_*.cc see MPI's headers and flags (an object
# library of its own); libnabla links MPI privately, so nothing else in nabla or in programs
# using it depends on MPI at compile time.
set(NABLA_MPI AUTO CACHE STRING "Build MPI support for multi-process training: AUTO (when found), ON, OFF")
set_property(CACHE NABLA_MPI PROPERTY STRINGS AUTO ON OFF)
set(NABLA_WITH_MPI OFF)

if(NOT NABLA_MPI STREQUAL "OFF")
  find_package(MPI COMPONENTS C QUIET)
  if(NOT MPI_C_FOUND AND NABLA_MPI STREQUAL "ON")
    message(FATAL_ERROR "nabla: NABLA_MPI=ON but MPI was not found "
                        "(install libopenmpi-dev and openmpi-bin)")
  endif()
  set(NABLA_WITH_MPI ${MPI_C_FOUND})
endif()

if(NOT NABLA_WITH_MPI)
  target_sources(nabla PRIVATE ${PROJECT_SOURCE_DIR}/framework/distributed/mpi/no_mpi.cc)
  if(NABLA_MPI STREQUAL "OFF")
    message(STATUS "nabla: MPI disabled (NABLA_MPI=OFF): one process only")
  else()
    message(STATUS "nabla: MPI not found: one process only (install libopenmpi-dev openmpi-bin "
                   "for multi-process training)")
  endif()
  return()
endif()

add_library(nabla_mpi OBJECT ${PROJECT_SOURCE_DIR}/framework/distributed/mpi/mpi_communicator.cc
                             ${PROJECT_SOURCE_DIR}/framework/distributed/mpi/mpi_failures.cc)
set_target_properties(nabla_mpi PROPERTIES POSITION_INDEPENDENT_CODE ON)
target_include_directories(nabla_mpi PRIVATE ${PROJECT_SOURCE_DIR})
# The C API only: never the deprecated C++ bindings some MPI headers pull in.
target_compile_definitions(nabla_mpi PRIVATE OMPI_SKIP_MPICXX=1 MPICH_SKIP_MPICXX=1)
target_link_libraries(nabla_mpi PRIVATE MPI::MPI_C)
target_sources(nabla PRIVATE $<TARGET_OBJECTS:nabla_mpi>)
target_link_libraries(nabla PRIVATE ${MPI_C_LIBRARIES})
message(STATUS "nabla: MPI ${MPI_C_VERSION} (${MPI_C_LIBRARIES}); launcher ${MPIEXEC_EXECUTABLE}")
