// Assignments to variables.
#include "framework/graph/graph.h"
#include "framework/ops/op_helpers.h"

namespace nabla {

using namespace op_helpers;

namespace {
TensorSpec infer_assign(const InferContext& c) {
  c.require_same_dtype();
  const Shape b = broadcast_shapes(c.shape(0), c.shape(1), c.where());
  if (b != c.shape(0))
    c.fail("cannot assign a value of shape " + c.shape(1).to_string() + " to a variable of shape " +
           c.shape(0).to_string());
  return no_output(c);
}
}  // namespace

Tensor assign(const Tensor& variable, const Tensor& value) {
  return apply_op("Assign", {variable, value});
}
Tensor assign_add(const Tensor& variable, const Tensor& value) {
  return apply_op("AssignAdd", {variable, value});
}
Tensor assign_sub(const Tensor& variable, const Tensor& value) {
  return apply_op("AssignSub", {variable, value});
}

Tensor group(const TensorList& ops, const std::string& name) {
  Graph* graph = nullptr;
  std::vector<Node*> controls;
  for (const Tensor& t : ops) {
    if (!t.defined() || !t.is_symbolic()) continue;
    if (graph && t.graph() != graph) throw ValueError("group(): ops from different graphs");
    graph = t.graph();
    controls.push_back(t.node());
  }
  if (!graph) return Tensor();
  return graph->add_operation("NoOp", {}, {}, name, controls);
}

void register_state_ops(OpRegistry& r) {
  r.add({.name = "NoOp", .infer = no_output, .has_output = false});
  for (const char* name : {"Assign", "AssignAdd", "AssignSub"})
    r.add({.name = name,
           .min_inputs = 2,
           .max_inputs = 2,
           .infer = infer_assign,
           .has_output = false,
           .mutates = {0}});
}

}  // namespace nabla
