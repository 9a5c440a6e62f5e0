// The table of nabla's built-in ops, as ggml has one: every op type has an OpId, an index into
// the op registry and into each backend's kernel table. The element-wise families come from the
// lists of their math (elementwise_math.h, activation_math.h, optimizer_math.h), so the table
// never repeats them.
#pragma once

#include <cstdint>
#include <string>

#include "framework/ops/activation_math.h"
#include "framework/ops/elementwise_math.h"
#include "framework/ops/optimizer_math.h"

namespace nabla {

struct OpDef;

/// An op type: its index in the op table. The built-in ops are the constants of namespace op
/// (op::Add, op::MatMul, ...); an op a user registers gets its id from OpRegistry::add. Cheap to
/// copy and compare; the name and the definition are looked up in the registry.
class OpId {
 public:
  constexpr OpId() = default;
  constexpr explicit OpId(uint16_t index) : index_(index) {}
  constexpr uint16_t index() const { return index_; }
  constexpr bool valid() const { return index_ != kInvalid; }
  constexpr bool operator==(const OpId& o) const { return index_ == o.index_; }
  constexpr bool operator!=(const OpId& o) const { return index_ != o.index_; }
  /// The op's definition (OpRegistry::global().def(*this)).
  const OpDef& def() const;
  /// Its type name, e.g. "MatMul".
  const std::string& name() const;

 private:
  static constexpr uint16_t kInvalid = 0xffff;
  uint16_t index_ = kInvalid;
};

// X(Name, ...): every built-in op (the families pass their math as further arguments).
// clang-format off
#define NABLA_BUILTIN_OPS(X)                                                                  \
  /* nodes that are not operations: fed, read from variables, fixed */                       \
  X(Placeholder) X(Const) X(Variable)                                                         \
  /* element-wise */                                                                          \
  NABLA_UNARY_MATH(X) NABLA_BINARY_MATH(X) NABLA_COMPARISON_MATH(X)                           \
  X(LogicalAnd) X(LogicalNot) X(Select) X(Cast) X(AddN) X(BiasAdd) X(Fill) X(FillLike)       \
  NABLA_ACTIVATIONS(X) X(ActivationGrad)                                                      \
  /* linear algebra, reductions */                                                            \
  X(MatMul) X(ReduceSum) X(ReduceMean) X(ReduceMax) X(ReduceMin) X(ArgMax)                    \
  X(ReduceToShapeOf) X(ReducedSize)                                                           \
  /* shapes and copies */                                                                     \
  X(Reshape) X(ReshapeLike) X(Transpose) X(Concat) X(Slice) X(SliceGrad) X(ExpandDims)        \
  X(Squeeze) X(BroadcastTo) X(BroadcastLike) X(Identity) X(StopGradient) X(Gather)            \
  X(GatherGrad) X(OneHot)                                                                     \
  /* softmax and the fused losses */                                                          \
  X(Softmax) X(LogSoftmax) X(SoftmaxGrad) X(LogSoftmaxGrad)                                   \
  X(SparseSoftmaxCrossEntropyWithLogits) X(SparseSoftmaxCrossEntropyGrad)                     \
  /* random numbers */                                                                        \
  X(RandomNormal) X(RandomUniform) X(TruncatedNormal) X(RandomUniformLike) X(DropoutMask)     \
  /* state: assignments and the fused optimizer updates */                                    \
  X(NoOp) X(Assign) X(AssignAdd) X(AssignSub) NABLA_OPTIMIZER_RULES(X)                       \
  /* collectives between the ranks of a data-parallel job */                                  \
  X(AllReduceStart) X(AllReduceUnpack) X(AllReduceSum)
// clang-format on

namespace op {
// The built-in op ids, in table order.
enum class Builtin : uint16_t {
#define NABLA_OP_ENUM(Name, ...) Name,
  NABLA_BUILTIN_OPS(NABLA_OP_ENUM)
#undef NABLA_OP_ENUM
      kCount
};
#define NABLA_OP_ID(Name, ...) inline constexpr OpId Name{static_cast<uint16_t>(Builtin::Name)};
NABLA_BUILTIN_OPS(NABLA_OP_ID)
#undef NABLA_OP_ID
/// How many built-in ops there are (their ids are 0 .. kBuiltinCount - 1).
inline constexpr int kBuiltinCount = static_cast<int>(Builtin::kCount);
/// The name of built-in op `index`, "" beyond them.
const char* builtin_name(int index);
}  // namespace op

}  // namespace nabla
