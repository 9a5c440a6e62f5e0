// How an op call becomes a graph node or an eager computation.
#pragma once

#include <string>

#include "framework/core/attrs.h"
#include "framework/core/tensor.h"
#include "framework/ops/op_def.h"

namespace nabla {

/// Applies op `op` to `inputs`. When any input is symbolic (or reads a variable that belongs to
/// a graph) it adds a node to that graph and returns its symbolic output; when every input is
/// eager it runs the kernel at once on the inputs' device, records the call on every active
/// GradientTape, and returns the value. With no inputs at all the node goes to the default
/// graph. Weakly typed scalars (C++ literals) take the dtype of the other inputs.
Tensor apply_op(OpId op, TensorList inputs, const Attrs& attrs = {}, const std::string& name = "");
/// The same for an op given by name (an op a user registered, or one read from a graph file).
Tensor apply_op(const std::string& op, TensorList inputs, const Attrs& attrs = {},
                const std::string& name = "");

/// Runs op `op` eagerly on eager `inputs` (no tape recording). Used by apply_op and by code that
/// must compute a value whatever mode it is in.
Tensor execute_eager(OpId op, const TensorList& inputs, const Attrs& attrs = {});
/// Same, writing the result into `out` (which must have the result's shape and dtype): in-place
/// arithmetic.
void execute_eager_into(OpId op, const TensorList& inputs, const Attrs& attrs, const Tensor& out);

/// Where apply_op sends an op call. The layers above ops fill it in when the library loads: the
/// graph layer `build`, the eager runner (runtime) `run`, GradientTape `record`. Ops thus reach
/// them without depending on them.
struct OpRoutes {
  /// Adds the call to a graph and returns the node's output, or returns an undefined tensor when
  /// the call is not for a graph (every input eager, no graph capturing).
  Tensor (*build)(const OpDef& def, const TensorList& inputs, const Attrs& attrs,
                  const std::string& name) = nullptr;
  /// Runs the call on eager inputs, into `into` when given.
  Tensor (*run)(const OpDef& def, const TensorList& inputs, const Attrs& attrs,
                const Tensor* into) = nullptr;
  /// Records an eager call on the active tapes.
  void (*record)(const OpDef& def, const Attrs& attrs, const TensorList& inputs,
                 const Tensor& output) = nullptr;
  /// True when an active tape recorded `t` (in-place arithmetic on it would break its gradient).
  bool (*tracked)(const Tensor& t) = nullptr;
};
OpRoutes& op_routes();

}  // namespace nabla
