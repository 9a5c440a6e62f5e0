// The calling convention shared by every kernel on every backend.
#pragma once

#include <cstdint>
#include <cstring>
#include <new>
#include <string>
#include <type_traits>

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

/// A kernel's attributes decoded once, when its plan step or eager call is set up (a
/// KernelDecodeFn registered beside the kernel), so that the kernel does not look them up by
/// name on every call, as TensorFlow's kernels read theirs in their constructor: any trivially
/// copyable struct of up to 64 bytes.
class KernelParams {
 public:
  template <class P>
  void set(const P& p) {
    static_assert(std::is_trivially_copyable_v<P> && sizeof(P) <= sizeof(bytes_));
    std::memcpy(bytes_, &p, sizeof p);
  }
  /// The struct set() stored (copying it into these bytes created it there, as C++20 has
  /// memcpy do for trivially copyable types).
  template <class P>
  const P& get() const {
    static_assert(std::is_trivially_copyable_v<P> && sizeof(P) <= sizeof(bytes_));
    return *std::launder(reinterpret_cast<const P*>(bytes_));
  }

 private:
  alignas(8) unsigned char bytes_[64] = {};
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
  KernelParams params;  // what the kernel's KernelDecodeFn, if any, read from attrs

  const TensorView& in(int i) const { return inputs[i]; }
  /// "MatMul 'dense/MatMul'" for messages.
  std::string where() const { return op.name() + (node_name ? " '" + *node_name + "'" : ""); }
};

using KernelFn = void (*)(const KernelArgs& args);
/// Reads args.attrs (and the inputs' ranks, which a plan fixes) into args.params; throws, naming
/// args.where(), for attributes the kernel cannot run with.
using KernelDecodeFn = void (*)(KernelArgs& args);

}  // namespace nabla
