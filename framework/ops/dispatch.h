// How an op call becomes a graph node or an eager computation.
#pragma once

#include <string>

#include "framework/core/attrs.h"
#include "framework/core/tensor.h"

namespace nabla {

class Graph;

/// Applies op `op` to `inputs`. When any input is symbolic (or reads a variable that belongs to
/// a graph) it adds a node to that graph and returns its symbolic output; when every input is
/// eager it runs the kernel at once on the inputs' device, records the call on every active
/// GradientTape, and returns the value. With no inputs at all the node goes to the default
/// graph. Weakly typed scalars (C++ literals) take the dtype of the other inputs.
Tensor apply_op(const std::string& op, TensorList inputs, const Attrs& attrs = {},
                const std::string& name = "");

/// Runs op `op` eagerly on eager `inputs` (no tape recording). Used by apply_op and by code that
/// must compute a value whatever mode it is in.
Tensor execute_eager(const std::string& op, const TensorList& inputs, const Attrs& attrs = {});
/// Same, writing the result into `out` (which must have the result's shape and dtype): in-place
/// arithmetic.
void execute_eager_into(const std::string& op, const TensorList& inputs, const Attrs& attrs,
                        const Tensor& out);

/// Resets the run counter of eager random ops (set_seed calls this), for reproducible streams.
void reset_eager_random_counter();

}  // namespace nabla
