// Tensor: the n-dimensional array of nabla, either a value (eager) or a node's output (symbolic).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "framework/core/device.h"
#include "framework/core/dtype.h"
#include "framework/core/errors.h"
#include "framework/core/shape.h"
#include "framework/core/storage.h"

namespace nabla {

class Graph;
class Node;
struct VariableState;

namespace detail {
struct TensorImpl;
}

/// An n-rank array (rank 0 scalar, 1 vector, 2 matrix, ...) of one DType, row-major.
///
/// A Tensor is one of two things, as in TensorFlow:
///  - **eager**: it holds a value in a Storage on some Device. Ops on eager tensors run at once
///    (and are recorded by an active GradientTape).
///  - **symbolic**: it stands for the output of a Node in a Graph. Ops on symbolic tensors add
///    nodes to that graph; a Session computes their values.
///
/// Tensors are cheap handles: copying one shares the data (or the node). The static factories
/// below make eager tensors; the free functions with no tensor input (`placeholder`, `zeros`,
/// `random_normal`, ...) add nodes to the default graph.
///
/// Threads: reading an eager tensor from several threads at once is safe; writing it in place
/// (`+=`, a kernel's output) while another thread reads it is not.
class Tensor {
 public:
  /// An undefined tensor (`defined()` is false), e.g. the gradient of an unconnected source.
  Tensor() = default;
  /// Scalars from C++ numbers. They are weakly typed, as Python literals are in TensorFlow: in
  /// `x * 2` the 2 takes the dtype of x.
  Tensor(float value);
  Tensor(double value);
  Tensor(int value);

  // ---- eager factories ----
  /// A float32 tensor with `values` laid out row-major in `shape`.
  Tensor(const std::vector<float>& values, const Shape& shape);
  /// A rank-1 float32 tensor, e.g. Tensor({2.f, 3.f, 5.f}).
  Tensor(std::initializer_list<float> values);
  /// A tensor of `shape` and `dtype` copied from `data` (host memory).
  static Tensor from_data(const void* data, const Shape& shape, DType dtype);
  template <class T>
  static Tensor from_vector(const std::vector<T>& values, const Shape& shape);
  /// A strongly typed scalar.
  static Tensor scalar(double value, DType dtype = DType::Float32);
  static Tensor zeros(const Shape& shape, DType dtype = DType::Float32,
                      Device device = Device::CPU);
  static Tensor ones(const Shape& shape, DType dtype = DType::Float32, Device device = Device::CPU);
  static Tensor full(const Shape& shape, double value, DType dtype = DType::Float32,
                     Device device = Device::CPU);
  /// Uninitialised memory; for kernels and loaders that fill every element.
  static Tensor empty(const Shape& shape, DType dtype = DType::Float32,
                      Device device = Device::CPU);
  /// Seeded random values (Philox counter-based: the same seed gives the same values on every
  /// device and thread count).
  static Tensor random_normal(const Shape& shape, double mean, double stddev, uint64_t seed,
                              DType dtype = DType::Float32);
  static Tensor random_uniform(const Shape& shape, double minval, double maxval, uint64_t seed,
                               DType dtype = DType::Float32);
  static Tensor truncated_normal(const Shape& shape, double mean, double stddev, uint64_t seed,
                                 DType dtype = DType::Float32);

  // ---- what every tensor has ----
  bool defined() const { return impl_ != nullptr; }
  bool is_symbolic() const;
  bool is_eager() const { return defined() && !is_symbolic(); }
  /// The static shape (symbolic tensors may have -1 dimensions).
  const Shape& shape() const;
  DType dtype() const;
  int rank() const { return shape().rank(); }
  /// Number of elements (eager tensors, or symbolic ones with a fully defined shape).
  int64_t numel() const { return shape().numel(); }
  /// The value's device; a symbolic tensor answers the CPU.
  Device device() const;
  /// True for a C++ number converted implicitly (see the scalar constructors).
  bool is_weak() const;
  /// The exact value of a weak scalar (a double literal keeps its precision for float64 ops).
  double literal_value() const;

  // ---- eager values ----
  /// Typed pointer to the elements; throws for symbolic tensors, other devices or dtypes.
  template <class T>
  T* data();
  template <class T>
  const T* data() const;
  /// Raw pointer to the elements on the tensor's device.
  void* raw_data() const;
  /// The value of a one-element tensor, converted to T.
  template <class T>
  T item() const;
  /// All elements converted to T, row-major.
  template <class T>
  std::vector<T> to_vector() const;
  /// Element `i` (row-major flat index) as a double, whatever the dtype.
  double at(int64_t i) const;
  /// This value on `device` (shares the data if already there).
  Tensor to(Device device) const;
  /// A deep copy.
  Tensor clone() const;
  /// Same data viewed with another shape of the same element count.
  Tensor view(const Shape& shape) const;
  /// Rows [begin, end) of the first axis, sharing the data (no copy), like x[begin:end].
  Tensor rows(int64_t begin, int64_t end) const;

  const std::shared_ptr<Storage>& storage() const;

  // ---- symbolic tensors ----
  /// The node this tensor is the output of (nullptr for eager tensors).
  Node* node() const;
  /// The graph of node() (nullptr for eager tensors).
  Graph* graph() const;
  /// The node's name for symbolic tensors, "" otherwise.
  std::string name() const;

  /// `Tensor(4.0, shape=(), dtype=float32)`, `Tensor([4 9 25], shape=(3,), dtype=float32)`,
  /// or `Tensor("Add", shape=(None, 3), dtype=float32)` for a symbolic tensor.
  std::string to_string() const;

  /// The same tensor (sharing its value or node), keeping `owner` alive as long as the returned
  /// handle or a copy of it lives. Functional models use it: a Keras tensor keeps the layer that
  /// made it.
  Tensor keeping_alive(std::shared_ptr<const void> owner) const;

  /// The variable this tensor reads, if it is a read of one (used by tapes and graphs).
  const std::shared_ptr<VariableState>& variable() const;
  /// Identity of an eager value for GradientTape bookkeeping (a variable's reads share one id).
  uint64_t id() const;

  // Internal constructors used by graphs, variables and eager execution.
  /// The output of graph node `node` of `graph`, named `*name` (the node's own string, which
  /// lives as long as the graph), reading `variable` when it is a variable's node.
  static Tensor make_symbolic(Node* node, Graph* graph, const std::string* name, const Shape& shape,
                              DType dtype, std::shared_ptr<VariableState> variable);
  static Tensor make_eager(std::shared_ptr<Storage> storage, const Shape& shape, DType dtype);
  /// An eager read of a variable: its storage, and its identity `id` for tapes.
  static Tensor make_variable_read(std::shared_ptr<Storage> storage, const Shape& shape,
                                   DType dtype, std::shared_ptr<VariableState> variable,
                                   uint64_t id);

 private:
  std::shared_ptr<detail::TensorImpl> impl_;
  const detail::TensorImpl& checked_eager(const char* what) const;
};

std::ostream& operator<<(std::ostream& os, const Tensor& t);

/// A list of tensors (inputs of an op, gradients, fetches).
using TensorList = std::vector<Tensor>;

template <class T>
Tensor Tensor::from_vector(const std::vector<T>& values, const Shape& shape) {
  if (static_cast<int64_t>(values.size()) != shape.numel())
    throw ShapeError("Tensor::from_vector: " + std::to_string(values.size()) +
                     " values do not fill shape " + shape.to_string());
  if constexpr (std::is_same_v<T, bool>) {
    std::vector<uint8_t> bytes(values.begin(), values.end());
    return from_data(bytes.data(), shape, DType::Bool);
  } else {
    return from_data(values.data(), shape, dtype_of<T>());
  }
}

}  // namespace nabla
