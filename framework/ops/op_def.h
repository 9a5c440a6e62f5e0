// OpDef: what nabla knows about one op type (shape inference and gradient rule), and the
// registry of all op types, indexed by OpId. Kernels live in each backend's table, by OpId.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "framework/core/attrs.h"
#include "framework/core/tensor.h"
#include "framework/ops/op_table.h"

namespace nabla {

/// Shape and dtype of a tensor-to-be.
struct TensorSpec {
  Shape shape;
  DType dtype = DType::Float32;
};

/// What a shape function sees: the input specs (static or concrete) and the attributes.
struct InferContext {
  OpId op;
  const std::string& node_name;
  const std::vector<TensorSpec>& inputs;
  const Attrs& attrs;

  const Shape& shape(int i) const { return inputs[i].shape; }
  DType dtype(int i) const { return inputs[i].dtype; }
  int num_inputs() const { return static_cast<int>(inputs.size()); }
  /// "MatMul 'dense/MatMul'" for error messages.
  std::string where() const { return op.name() + " '" + node_name + "'"; }
  /// Throws ShapeError("<where>: <message>").
  [[noreturn]] void fail(const std::string& message) const;
  /// Throws TypeError unless input i is floating point.
  void require_floating(int i) const;
  /// Throws TypeError unless all inputs share one dtype.
  void require_same_dtype() const;
};

/// What a gradient rule sees: the op's inputs and output, and the gradient flowing into the
/// output. The rule returns one gradient per input (undefined where none flows). It is written
/// once with nabla's ops, so it builds gradient nodes in graph mode and computes gradient
/// values under a GradientTape.
struct GradContext {
  const Attrs& attrs;
  const TensorList& inputs;
  const Tensor& output;
  const Tensor& grad;

  const Tensor& x(int i = 0) const { return inputs[i]; }
};

using InferFn = std::function<TensorSpec(const InferContext&)>;
using FlopsFn = std::function<double(const InferContext&)>;
using GradFn = std::function<TensorList(const GradContext&)>;

/// The description of an op type.
struct OpDef {
  std::string name;
  int min_inputs = 0;
  int max_inputs = 0;  // -1: any number
  InferFn infer;
  GradFn grad;                 // empty: not differentiable (no gradient flows through)
  bool has_output = true;      // false for ops run for their effect (assign, optimizer updates)
  std::vector<int> mutates;    // inputs the kernel writes in place; they must be variables
  bool random = false;         // draws random numbers: has a per-node run counter
  bool aliases_input = false;  // output may share input 0's memory (Reshape, Identity)
  OpId id;                     // set by the registry

  // Runs as soon as its inputs are ready, ahead of ready ops without this flag (the plan otherwise
  // runs the smallest node id first): an op that starts communication (a gradient bucket's
  // all-reduce) then starts it while the rest of the backward pass still runs.
  bool schedule_early = false;

  // Floating-point operations of one run, for compute-bound ops whose CPU kernels split their
  // work over the threads (MatMul). Two such ops that are independent and of similar cost (a
  // layer's dW and dX products) run side by side in a plan, one whole op per thread, which
  // costs less than splitting each over all threads (measured in bench/README.md).
  FlopsFn flops;
};

/// Throws ValueError unless `count` inputs suit `def` (naming the op and node).
void check_arity(const OpDef& def, int count, const std::string& node_name);

/// All op types, by OpId and by name. The built-in ones (op_table.h) are defined on first use;
/// users may add their own, with a kernel on each backend they want to run on.
class OpRegistry {
 public:
  static OpRegistry& global();
  /// Defines built-in op `id` (its name comes from the table).
  void define(OpId id, OpDef def);
  /// Adds an op of a new name, or replaces the definition of an existing one; returns its id.
  OpId add(OpDef def);
  /// The definition of `id` (StateError for an id no op has).
  const OpDef& def(OpId id) const;
  /// The op type `name`; throws NotFoundError with the nearest known name.
  const OpDef& get(const std::string& name) const;
  const OpDef* find(const std::string& name) const;
  /// Every op type, in id order.
  std::vector<OpId> ids() const;
  std::vector<std::string> names() const;

 private:
  OpRegistry();
  std::vector<std::unique_ptr<OpDef>> defs_;  // by id
  std::unordered_map<std::string, OpId> by_name_;
};

}  // namespace nabla
