// The private state behind a Tensor handle (shared by graph and eager code inside nabla).
#pragma once

#include <atomic>
#include <memory>

#include "framework/core/tensor.h"

namespace nabla::detail {

struct TensorImpl {
  Shape shape;
  DType dtype = DType::Float32;
  std::shared_ptr<Storage> storage;  // eager tensors
  Node* node = nullptr;              // symbolic tensors: the node, its graph and name
  Graph* graph = nullptr;
  const std::string* name = nullptr;
  std::shared_ptr<VariableState> variable;  // reads of a variable
  uint64_t id = 0;
  bool weak = false;
  double literal = 0;  // the exact value of a weak scalar (its storage is float32)
  std::shared_ptr<const void> owner;  // kept alive with the tensor (see Tensor::keeping_alive)
};

/// A fresh id for an eager value (tapes track values by id).
uint64_t next_tensor_id();

}  // namespace nabla::detail
