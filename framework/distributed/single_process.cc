#include "framework/distributed/single_process.h"

#include <cstdio>
#include <cstdlib>

#include "framework/core/errors.h"

namespace nabla::distributed {

void check_buffer(const void* data, int64_t count, DType dtype, const char* what) {
  if (count < 0)
    throw ValueError(std::string(what) + ": negative element count " + std::to_string(count));
  if (count > 0 && !data)
    throw ValueError(std::string(what) + ": null buffer for " + std::to_string(count) +
                     " elements");
  if (dtype == DType::Bool)
    throw TypeError(std::string(what) +
                    ": bool values cannot be summed (float32, float64, int32 or int64)");
}

void SingleProcessCommunicator::all_reduce_sum(void* data, int64_t count, DType dtype) {
  check_buffer(data, count, dtype, "all_reduce");
}

void SingleProcessCommunicator::broadcast(void* data, int64_t bytes, int root) {
  check_root(root, "broadcast");
  check_buffer(data, bytes, DType::Int32, "broadcast");
}

void SingleProcessCommunicator::start_all_reduce_sum(void* data, int64_t count, DType dtype,
                                                     Request& request) {
  check_buffer(data, count, dtype, "all_reduce");
  request.active = false;  // complete at once
}

bool SingleProcessCommunicator::test(Request& request) {
  request.active = false;
  return true;
}

void SingleProcessCommunicator::abort(const std::string& message) {
  std::fprintf(stderr, "error: %s\n", message.c_str());
  std::exit(1);
}

}  // namespace nabla::distributed
