// Reverse-mode automatic differentiation of graphs.
#pragma once

#include "framework/core/tensor.h"
#include "framework/graph/variable.h"

namespace nabla {

/// What the gradient of a source the target does not depend on is.
enum class UnconnectedGradients {
  /// An undefined Tensor (`!g.defined()`), as tf.gradients returns None.
  None,
  /// Zeros shaped like the source.
  Zero,
};

/// Adds to the graph the nodes computing d(target)/d(source) for each source, and returns them
/// (TensorFlow 1's tf.gradients). Contributions along every path from a source to the target are
/// summed; a non-scalar target is treated as the sum of its elements (or weighted by
/// `target_grad`, when given, of the target's shape). Gradients flow only through floating-point
/// tensors and ops with a gradient rule; comparisons, argmax, casts to integers, stop_gradient
/// and random ops stop them.
TensorList gradients(const Tensor& target, const TensorList& sources,
                     const Tensor& target_grad = Tensor(),
                     UnconnectedGradients unconnected = UnconnectedGradients::None);
/// Gradients with respect to variables (read in the target's graph).
TensorList gradients(const Tensor& target, const VariableList& sources,
                     UnconnectedGradients unconnected = UnconnectedGradients::None);

}  // namespace nabla
