// A nabla Graph as a TensorFlow GraphDef, for TensorBoard's Graphs tab.
#pragma once

#include <string>

#include "framework/graph/graph.h"

namespace nabla::tensorboard {

/// The graph as a serialized GraphDef (TensorFlow's graph.proto format). Every node keeps its
/// name — TensorBoard groups nodes by the '/' scopes in names ("dense/MatMul",
/// "training/dense/...") — its op type, its inputs (control inputs after them as "^name") and
/// its attributes: nabla's own, "dtype" (placeholders, variables, constants) or "T" (operations)
/// as TensorFlow DataType values, and "_output_shapes" with -1 for dimensions known only at run
/// time, which the Graphs tab shows on edges.
std::string graph_def(const Graph& graph);
/// Only the nodes `fetches` need (their ancestors through data and control inputs).
std::string graph_def(const Graph& graph, const TensorList& fetches);

/// TensorFlow's DataType enum value for `dtype` (DT_FLOAT = 1, DT_DOUBLE = 2, DT_INT32 = 3,
/// DT_INT64 = 9, DT_BOOL = 10).
int tf_data_type(DType dtype);

}  // namespace nabla::tensorboard
