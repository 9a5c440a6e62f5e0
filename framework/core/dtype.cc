#include "framework/core/dtype.h"

#include "framework/core/errors.h"

namespace nabla {

size_t dtype_size(DType dtype) {
  switch (dtype) {
    case DType::Float32:
      return 4;
    case DType::Float64:
      return 8;
    case DType::Int32:
      return 4;
    case DType::Int64:
      return 8;
    case DType::Bool:
      return 1;
  }
  return 0;
}

const char* dtype_name(DType dtype) {
  switch (dtype) {
    case DType::Float32:
      return "float32";
    case DType::Float64:
      return "float64";
    case DType::Int32:
      return "int32";
    case DType::Int64:
      return "int64";
    case DType::Bool:
      return "bool";
  }
  return "?";
}

DType dtype_from_name(const std::string& name) {
  for (DType d : {DType::Float32, DType::Float64, DType::Int32, DType::Int64, DType::Bool})
    if (name == dtype_name(d)) return d;
  throw_unknown("dtype", name, {"float32", "float64", "int32", "int64", "bool"});
}

bool is_floating(DType dtype) {
  return dtype == DType::Float32 || dtype == DType::Float64;
}
bool is_integer(DType dtype) {
  return dtype == DType::Int32 || dtype == DType::Int64;
}

}  // namespace nabla
