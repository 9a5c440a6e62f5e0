# NCCL for the GPU all-reduce of multi-process training (framework/cuda/nccl_communicator.cc),
# part of the CUDA plugin; included by framework/cuda/CMakeLists.txt once nabla_cuda exists.
# NABLA_NCCL=AUTO builds it when nccl.h and libnccl are found, ON requires them, OFF leaves it
# out (GPU tensors then go through host memory and MPI).
set(NABLA_NCCL AUTO CACHE STRING "Build the NCCL all-reduce into the CUDA backend: AUTO, ON, OFF")
set_property(CACHE NABLA_NCCL PROPERTY STRINGS AUTO ON OFF)
if(NABLA_NCCL STREQUAL "OFF")
  message(STATUS "nabla: NCCL disabled (NABLA_NCCL=OFF)")
  return()
endif()

find_path(NCCL_INCLUDE_DIR nccl.h
  HINTS $ENV{NCCL_ROOT} ${CUDAToolkit_INCLUDE_DIRS} PATH_SUFFIXES include)
find_library(NCCL_LIBRARY nccl
  HINTS $ENV{NCCL_ROOT} ${CUDAToolkit_LIBRARY_DIR} PATH_SUFFIXES lib64 lib)
if(NOT NCCL_INCLUDE_DIR OR NOT NCCL_LIBRARY)
  if(NABLA_NCCL STREQUAL "ON")
    message(FATAL_ERROR "nabla: NABLA_NCCL=ON but nccl.h or libnccl was not found (set NCCL_ROOT)")
  endif()
  message(STATUS "nabla: NCCL not found: GPU all-reduces go through host memory and MPI")
  return()
endif()

target_sources(nabla_cuda PRIVATE ${PROJECT_SOURCE_DIR}/framework/cuda/nccl_communicator.cc)
target_include_directories(nabla_cuda PRIVATE ${NCCL_INCLUDE_DIR})
target_link_libraries(nabla_cuda PRIVATE ${NCCL_LIBRARY})
set_property(GLOBAL PROPERTY NABLA_WITH_NCCL ON)  # test_nccl then fails, not skips, without it
message(STATUS "nabla: NCCL ${NCCL_LIBRARY}")
