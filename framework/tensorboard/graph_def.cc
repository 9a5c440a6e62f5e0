#include "framework/tensorboard/graph_def.h"

#include <type_traits>
#include <unordered_set>

#include "framework/core/errors.h"
#include "framework/graph/variable.h"
#include "framework/tensorboard/proto/graph.pb.h"

namespace nabla::tensorboard {
namespace {

void set_shape(tbproto::TensorShapeProto* out, const Shape& shape) {
  for (int64_t d : shape) out->add_dim()->set_size(d < 0 ? -1 : d);
}

tbproto::DataType data_type(DType dtype) {
  return static_cast<tbproto::DataType>(tf_data_type(dtype));
}

// nabla's attribute kinds map one to one onto AttrValue's.
tbproto::AttrValue attr_value(const AttrValue& value) {
  tbproto::AttrValue out;
  std::visit(
      [&out](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, bool>) {
          out.set_b(v);
        } else if constexpr (std::is_same_v<T, int64_t>) {
          out.set_i(v);
        } else if constexpr (std::is_same_v<T, double>) {
          out.set_f(static_cast<float>(v));
        } else if constexpr (std::is_same_v<T, std::string>) {
          out.set_s(v);
        } else if constexpr (std::is_same_v<T, std::vector<int64_t>>) {
          tbproto::AttrValue::ListValue* list = out.mutable_list();
          for (int64_t i : v) list->add_i(i);
        } else if constexpr (std::is_same_v<T, DType>) {
          out.set_type(data_type(v));
        } else {
          static_assert(std::is_same_v<T, Shape>);
          set_shape(out.mutable_shape(), v);
        }
      },
      value);
  return out;
}

// The nodes to export, in the graph's (topological) order.
std::vector<const Node*> selected(const Graph& graph, const TensorList* fetches) {
  std::vector<const Node*> out;
  if (!fetches) {
    for (const auto& n : graph.nodes()) out.push_back(n.get());
    return out;
  }
  std::unordered_set<const Node*> needed;
  std::vector<const Node*> stack;
  for (const Tensor& f : *fetches) {
    if (!f.defined() || !f.is_symbolic()) continue;  // eager values need no nodes
    if (f.node()->graph() != &graph)
      throw ValueError("graph_def: fetch '" + f.node()->name() + "' belongs to another graph");
    stack.push_back(f.node());
  }
  while (!stack.empty()) {
    const Node* n = stack.back();
    stack.pop_back();
    if (!needed.insert(n).second) continue;
    for (const Node* in : n->inputs()) stack.push_back(in);
    for (const Node* in : n->control_inputs()) stack.push_back(in);
    if (auto s = n->variable_state(); s && s->initial_value && s->home_graph == &graph)
      stack.push_back(s->initial_value);
  }
  for (const auto& n : graph.nodes())
    if (needed.count(n.get())) out.push_back(n.get());
  return out;
}

std::string to_graph_def(const Graph& graph, const TensorList* fetches) {
  tbproto::GraphDef def;
  for (const Node* n : selected(graph, fetches)) {
    tbproto::NodeDef* node = def.add_node();
    node->set_name(n->name());
    node->set_op(n->op());
    for (const Node* in : n->inputs()) node->add_input(in->name());
    for (const Node* in : n->control_inputs()) node->add_input("^" + in->name());
    auto& attrs = *node->mutable_attr();
    for (const auto& [key, value] : n->attrs().entries()) attrs[key] = attr_value(value);
    tbproto::AttrValue::ListValue* shapes = attrs["_output_shapes"].mutable_list();
    if (!n->has_output()) continue;  // an op run for its effect (an update): no output, no type
    set_shape(shapes->add_shape(), n->shape());
    const char* type_key = n->kind() == NodeKind::Operation ? "T" : "dtype";
    if (!attrs.count(type_key)) attrs[type_key].set_type(data_type(n->dtype()));
  }
  return def.SerializeAsString();
}

}  // namespace

int tf_data_type(DType dtype) {
  switch (dtype) {
    case DType::Float32:
      return tbproto::DT_FLOAT;
    case DType::Float64:
      return tbproto::DT_DOUBLE;
    case DType::Int32:
      return tbproto::DT_INT32;
    case DType::Int64:
      return tbproto::DT_INT64;
    case DType::Bool:
      return tbproto::DT_BOOL;
  }
  throw ValueError("graph_def: unknown dtype " + std::to_string(static_cast<int>(dtype)));
}

std::string graph_def(const Graph& graph) {
  return to_graph_def(graph, nullptr);
}
std::string graph_def(const Graph& graph, const TensorList& fetches) {
  return to_graph_def(graph, &fetches);
}

}  // namespace nabla::tensorboard
