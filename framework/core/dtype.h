// Element types a Tensor can hold.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace nabla {

/// The element type of a tensor. float32 is the working type of models; float64 exists for
/// gradient checks; int32/int64 hold labels and indices; bool holds comparison results.
enum class DType : uint8_t { Float32, Float64, Int32, Int64, Bool };

/// Bytes per element.
size_t dtype_size(DType dtype);
/// The name numpy and TensorFlow print: "float32", "int64", "bool", ...
const char* dtype_name(DType dtype);
/// Parses a name printed by dtype_name(); throws ValueError for anything else.
DType dtype_from_name(const std::string& name);
/// True for float32 and float64, the types gradients flow through.
bool is_floating(DType dtype);
/// True for int32 and int64.
bool is_integer(DType dtype);

/// The DType of a C++ element type, e.g. dtype_of<float>() == DType::Float32.
template <class T>
constexpr DType dtype_of();
template <>
constexpr DType dtype_of<float>() {
  return DType::Float32;
}
template <>
constexpr DType dtype_of<double>() {
  return DType::Float64;
}
template <>
constexpr DType dtype_of<int32_t>() {
  return DType::Int32;
}
template <>
constexpr DType dtype_of<int64_t>() {
  return DType::Int64;
}
template <>
constexpr DType dtype_of<bool>() {
  return DType::Bool;
}

}  // namespace nabla
