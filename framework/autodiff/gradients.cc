#include "framework/autodiff/gradients.h"

#include <map>
#include <set>

#include "framework/graph/graph.h"
#include "framework/ops/op_def.h"
#include "framework/ops/ops.h"

namespace nabla {
namespace {

// Nodes on some path from a source to the target: ancestors of the target that are also
// descendants of a source.
std::set<const Node*> nodes_between(const Node* target, const std::set<const Node*>& sources) {
  std::set<const Node*> ancestors;
  std::vector<const Node*> stack{target};
  while (!stack.empty()) {
    const Node* n = stack.back();
    stack.pop_back();
    if (!ancestors.insert(n).second) continue;
    for (const Node* in : n->inputs()) stack.push_back(in);
  }
  // Node ids are a topological order, so one pass in id order finds the descendants.
  std::set<const Node*> between;
  std::vector<const Node*> sorted(ancestors.begin(), ancestors.end());
  std::sort(sorted.begin(), sorted.end(), [](auto a, auto b) { return a->id() < b->id(); });
  for (const Node* n : sorted) {
    bool reached = sources.count(n) > 0;
    for (const Node* in : n->inputs()) reached = reached || between.count(in);
    if (reached) between.insert(n);
  }
  return between;
}

}  // namespace

TensorList gradients(const Tensor& target, const TensorList& sources, const Tensor& target_grad,
                     UnconnectedGradients unconnected) {
  if (!target.is_symbolic())
    throw ValueError("gradients() needs a symbolic target; for eager tensors use GradientTape");
  if (!is_floating(target.dtype()))
    throw TypeError("gradients(): target '" + target.name() + "' is " + dtype_name(target.dtype()) +
                    ", not a floating-point tensor");
  Graph& g = *target.graph();
  std::vector<Tensor> source_nodes;
  std::set<const Node*> source_set;
  for (const Tensor& s : sources) {
    Tensor c = g.capture(s);
    source_nodes.push_back(c);
    source_set.insert(c.node());
  }
  const std::set<const Node*> between = nodes_between(target.node(), source_set);

  auto scope = g.as_default();
  auto name_scope = g.name_scope("gradients");
  std::map<const Node*, TensorList> partials;
  partials[target.node()].push_back(target_grad.defined() ? target_grad : ones_like(target));
  std::map<const Node*, Tensor> result;

  std::vector<const Node*> order(between.begin(), between.end());
  std::sort(order.begin(), order.end(), [](auto a, auto b) { return a->id() > b->id(); });
  for (const Node* n : order) {
    auto it = partials.find(n);
    if (it == partials.end()) continue;
    Tensor grad = add_n(it->second);
    if (source_set.count(n)) result[n] = grad;
    if (n->kind() != NodeKind::Operation || !n->def().grad) continue;
    bool any_input_needs = false;
    for (const Node* in : n->inputs()) any_input_needs |= between.count(in) > 0;
    if (!any_input_needs) continue;
    TensorList inputs;
    for (const Node* in : n->inputs()) inputs.push_back(in->output());
    const Tensor output = n->output();
    auto op_scope = g.name_scope(n->name() + "_grad");
    const TensorList input_grads = n->def().grad(GradContext{n->attrs(), inputs, output, grad});
    for (size_t i = 0; i < n->inputs().size() && i < input_grads.size(); ++i) {
      const Node* in = n->inputs()[i];
      if (!input_grads[i].defined() || !between.count(in) || !is_floating(in->dtype())) continue;
      partials[in].push_back(input_grads[i]);
    }
  }

  TensorList out;
  for (const Tensor& s : source_nodes) {
    auto it = result.find(s.node());
    if (it != result.end()) {
      out.push_back(it->second);
    } else {
      out.push_back(unconnected == UnconnectedGradients::Zero ? zeros_like(s) : Tensor());
    }
  }
  return out;
}

TensorList gradients(const Tensor& target, const VariableList& sources,
                     UnconnectedGradients unconnected) {
  TensorList reads;
  if (!target.is_symbolic())
    throw ValueError("gradients() needs a symbolic target; for eager tensors use GradientTape");
  for (const Variable& v : sources) reads.push_back(target.graph()->capture(v.read()));
  return gradients(target, reads, Tensor(), unconnected);
}

}  // namespace nabla
