// Printing tensors as TensorFlow does: Tensor([4 9 25], shape=(3,), dtype=float32).
#include <charconv>
#include <cmath>
#include <ostream>
#include <sstream>

#include "framework/core/tensor.h"
#include "framework/core/tensor_impl.h"

namespace nabla {

namespace {

std::string format_number(double v, DType dtype, bool scalar) {
  if (dtype == DType::Bool) return v != 0 ? "True" : "False";
  if (is_integer(dtype)) return std::to_string(static_cast<int64_t>(v));
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  auto res = dtype == DType::Float32 ? std::to_chars(buf, buf + sizeof buf, static_cast<float>(v))
                                     : std::to_chars(buf, buf + sizeof buf, v);
  std::string s(buf, res.ptr);
  // Scalars print like Python floats ("4.0"); array elements compactly ("4").
  if (scalar && s.find_first_of(".eE") == std::string::npos) s += ".0";
  return s;
}

void print_level(std::ostream& os, const Tensor& host, int axis, int64_t offset,
                 const std::vector<int64_t>& strides, bool summarize) {
  const Shape& shape = host.shape();
  const int64_t n = shape[axis];
  constexpr int64_t kEdge = 3;
  os << "[";
  for (int64_t i = 0; i < n; ++i) {
    if (summarize && n > 2 * kEdge && i == kEdge) {
      os << (axis + 1 == shape.rank() ? " ..." : "\n" + std::string(axis + 1, ' ') + "...");
      i = n - kEdge;
    }
    if (i > 0 || (summarize && n > 2 * kEdge && i == n - kEdge)) {
      if (axis + 1 == shape.rank()) {
        os << " ";
      } else {
        os << "\n" << std::string(axis + 1, ' ');
      }
    }
    const int64_t pos = offset + i * strides[axis];
    if (axis + 1 == shape.rank()) {
      os << format_number(host.at(pos), host.dtype(), false);
    } else {
      print_level(os, host, axis + 1, pos, strides, summarize);
    }
  }
  os << "]";
}

}  // namespace

std::string Tensor::to_string() const {
  if (!impl_) return "Tensor(undefined)";
  const std::string tail =
      "shape=" + impl_->shape.to_string() + ", dtype=" + dtype_name(impl_->dtype) + ")";
  if (impl_->node) return "Tensor(\"" + name() + "\", " + tail;
  Tensor host = to(Device::CPU);
  std::ostringstream os;
  os << "Tensor(";
  if (impl_->shape.rank() == 0) {
    os << format_number(host.at(0), impl_->dtype, true);
  } else {
    std::vector<int64_t> strides(impl_->shape.rank(), 1);
    for (int i = impl_->shape.rank() - 2; i >= 0; --i)
      strides[i] = strides[i + 1] * impl_->shape[i + 1];
    const bool summarize = impl_->shape.numel() > 1000;
    if (impl_->shape.numel() == 0) {
      os << "[]";
    } else {
      print_level(os, host, 0, 0, strides, summarize);
    }
  }
  os << ", " << tail;
  return os.str();
}

std::ostream& operator<<(std::ostream& os, const Tensor& t) {
  return os << t.to_string();
}

}  // namespace nabla
