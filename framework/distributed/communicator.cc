#include "framework/distributed/communicator.h"

#include "framework/core/errors.h"

namespace nabla::distributed {

void Communicator::all_reduce_average(float* data, int64_t count) {
  all_reduce(data, count, DType::Float32, Reduce::Average);
}

void Communicator::all_reduce_average(double* data, int64_t count) {
  all_reduce(data, count, DType::Float64, Reduce::Average);
}

void Communicator::all_reduce(void* data, int64_t count, DType dtype, Reduce reduce) {
  if (reduce == Reduce::Average && !is_floating(dtype))
    throw TypeError(std::string("all_reduce: Average needs float32 or float64 values, got ") +
                    dtype_name(dtype) + " (use Reduce::Sum)");
  all_reduce_sum(data, count, dtype);
  if (reduce == Reduce::Average && size() > 1) scale(data, count, dtype, 1.0 / size());
}

void Communicator::broadcast(std::string& bytes, int root) {
  check_root(root, "broadcast");
  int64_t length = static_cast<int64_t>(bytes.size());
  broadcast(&length, sizeof length, root);
  bytes.resize(static_cast<size_t>(length));
  if (length > 0) broadcast(bytes.data(), length, root);
}

void Communicator::check_root(int root, const char* what) const {
  if (root < 0 || root >= size())
    throw ValueError(std::string(what) + ": root rank " + std::to_string(root) +
                     " is outside the world of " + std::to_string(size()) + " rank" +
                     (size() == 1 ? "" : "s"));
}

void scale(void* data, int64_t count, DType dtype, double factor) {
  if (dtype == DType::Float32) {
    float* p = static_cast<float*>(data);
    const float f = static_cast<float>(factor);
    for (int64_t i = 0; i < count; ++i) p[i] *= f;
  } else if (dtype == DType::Float64) {
    double* p = static_cast<double*>(data);
    for (int64_t i = 0; i < count; ++i) p[i] *= factor;
  } else {
    throw TypeError(std::string("scale: needs float32 or float64 values, got ") +
                    dtype_name(dtype));
  }
}

}  // namespace nabla::distributed
