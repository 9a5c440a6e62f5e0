#include "layers/keras_tensor.h"

#include <unordered_map>

#include "framework/core/errors.h"
#include "framework/graph/graph.h"
#include "layers/layer.h"

namespace nabla {
namespace {

// This thread's Keras tensors: placeholders of one graph, each with the call that made it. The
// layers are held weakly here; the tensors themselves keep them alive.
struct KerasGraph {
  Graph graph;
  struct Entry {
    std::weak_ptr<Layer> layer;
    int node_index, tensor_index;
  };
  std::unordered_map<const Node*, Entry> history;
};

KerasGraph& keras_graph() {
  thread_local KerasGraph g;
  return g;
}

}  // namespace

bool is_keras_tensor(const Tensor& t) {
  return t.defined() && t.is_symbolic() && t.graph() == &keras_graph().graph;
}

KerasHistory keras_history(const Tensor& t, const std::string& what) {
  if (!is_keras_tensor(t))
    throw ValueError(what + " must be a Keras tensor (from Input() or a layer called on one), got " +
                     (t.defined() ? t.to_string() : std::string("an undefined tensor")));
  const auto& history = keras_graph().history;
  auto it = history.find(t.node());
  if (it == history.end())
    throw ValueError(what + " ('" + t.name() + "') is the result of an op on Keras tensors, not "
                     "of a layer: a functional model records layer calls only (use a layer such "
                     "as Rescaling, Add or Multiply)");
  const std::shared_ptr<Layer> layer = it == history.end() ? nullptr : it->second.layer.lock();
  if (!layer) throw StateError(what + ": the layer that made Keras tensor '" + t.name() + "' is gone");
  return {layer, it->second.node_index, it->second.tensor_index};
}

Tensor make_keras_tensor(const Shape& shape, DType dtype, const std::shared_ptr<Layer>& layer,
                         int node_index, int index, const std::string& name) {
  KerasGraph& g = keras_graph();
  const Tensor t = g.graph.placeholder(dtype, shape, name);
  g.history[t.node()] = {layer, node_index, index};
  return t;
}

}  // namespace nabla
