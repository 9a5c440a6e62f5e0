// The calling convention shared by every kernel on every backend.
#pragma once

#include <cstdint>
#include <string>

#include "framework/core/dtype.h"
#include "framework/core/shape.h"
#include "framework/ops/op_table.h"

namespace nabla {

class Attrs;

/// A kernel's view of one tensor: device pointer, concrete shape, dtype.
struct TensorView {
  void* data = nullptr;
  Shape shape;
  DType dtype = DType::Float32;

  int64_t numel() const { return shape.numel(); }
  template <class T>
  T* as() const {
    return static_cast<T*>(data);
  }
};

/// Everything one kernel call needs. A plan builds these once per step and reuses them, so a
/// kernel call allocates nothing; eager execution builds one per call.
struct KernelArgs {
  OpId op;                                 // the op type, e.g. op::MatMul
  const std::string* node_name = nullptr;  // for error messages
  const Attrs* attrs = nullptr;
  const TensorView* inputs = nullptr;
  int num_inputs = 0;
  TensorView output;            // data == nullptr for ops without an output
  uint64_t* counter = nullptr;  // per-node run counter (random ops without a step input)
  void* context = nullptr;      // backend-specific (Backend::kernel_context())
  void* scratch = nullptr;      // per-step workspace of scratch_bytes
  size_t scratch_bytes = 0;

  const TensorView& in(int i) const { return inputs[i]; }
  /// "MatMul 'dense/MatMul'" for messages.
  std::string where() const { return op.name() + (node_name ? " '" + *node_name + "'" : ""); }
};

using KernelFn = void (*)(const KernelArgs& args);

}  // namespace nabla
