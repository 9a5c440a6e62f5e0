#include "framework/io/graph_io.h"

#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "framework/core/tensor_impl.h"
#include "framework/graph/variable.h"
#include "framework/ops/op_def.h"
#include "framework/ops/ops.h"

namespace nabla {

using nlohmann::json;

namespace {

json shape_json(const Shape& s) {
  return s.to_vector();
}

Shape shape_from(const json& j) {
  return Shape(j.get<std::vector<int64_t>>());
}

json attr_json(const AttrValue& v) {
  return std::visit(
      [](const auto& x) -> json {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, bool>) return {{"b", x}};
        if constexpr (std::is_same_v<T, int64_t>) return {{"i", x}};
        if constexpr (std::is_same_v<T, double>) return {{"f", x}};
        if constexpr (std::is_same_v<T, std::string>) return {{"s", x}};
        if constexpr (std::is_same_v<T, std::vector<int64_t>>) return {{"ints", x}};
        if constexpr (std::is_same_v<T, DType>) return {{"dtype", dtype_name(x)}};
        if constexpr (std::is_same_v<T, Shape>) return {{"shape", shape_json(x)}};
      },
      v);
}

AttrValue attr_from(const json& j, const std::string& where) {
  if (!j.is_object() || j.size() != 1)
    throw ValueError(where + ": malformed attribute " + j.dump());
  // The one member, by iterator into `j` itself (items() would be a temporary to point into).
  const auto member = j.begin();
  const std::string& key = member.key();
  const json& v = member.value();
  if (key == "b") return v.get<bool>();
  if (key == "i") return v.get<int64_t>();
  if (key == "f") return v.get<double>();
  if (key == "s") return v.get<std::string>();
  if (key == "ints") return v.get<std::vector<int64_t>>();
  if (key == "dtype") return dtype_from_name(v.get<std::string>());
  if (key == "shape") return shape_from(v);
  throw ValueError(where + ": unknown attribute type '" + key + "'");
}

json tensor_json(const Tensor& t) {
  json values = json::array();
  Tensor host = t.to(Device::CPU);
  for (int64_t i = 0; i < host.numel(); ++i) values.push_back(host.at(i));
  return {{"dtype", dtype_name(t.dtype())}, {"shape", shape_json(t.shape())}, {"values", values}};
}

Tensor tensor_from(const json& j, const std::string& where) {
  const Shape shape = shape_from(j.at("shape"));
  const DType dtype = dtype_from_name(j.at("dtype").get<std::string>());
  const auto& values = j.at("values");
  if (static_cast<int64_t>(values.size()) != shape.numel())
    throw ValueError(where + ": " + std::to_string(values.size()) + " values for shape " +
                     shape.to_string());
  std::vector<double> v = values.get<std::vector<double>>();
  Tensor t = Tensor::from_vector(v, shape);
  return dtype == DType::Float64 ? t : cast(t, dtype);
}

// The nodes to export: all, or the ancestors of `fetches` (inputs and control inputs).
std::vector<const Node*> selected(const Graph& graph, const TensorList* fetches) {
  std::vector<const Node*> out;
  if (!fetches) {
    for (const auto& n : graph.nodes()) out.push_back(n.get());
    return out;
  }
  std::set<const Node*> keep;
  std::vector<const Node*> stack;
  for (const Tensor& f : *fetches)
    if (f.defined() && f.is_symbolic()) stack.push_back(f.node());
  while (!stack.empty()) {
    const Node* n = stack.back();
    stack.pop_back();
    if (!keep.insert(n).second) continue;
    for (const Node* in : n->inputs()) stack.push_back(in);
    for (const Node* c : n->control_inputs()) stack.push_back(c);
    if (auto s = n->variable_state(); s && s->initial_value && s->home_graph == &graph)
      stack.push_back(s->initial_value);
  }
  for (const auto& n : graph.nodes())
    if (keep.count(n.get())) out.push_back(n.get());
  return out;
}

std::string to_json(const Graph& graph, const TensorList* fetches, bool with_variable_values);
std::string to_dot(const Graph& graph, const TensorList* fetches, const std::string& title);

}  // namespace

std::string graph_to_json(const Graph& graph, bool with_variable_values) {
  return to_json(graph, nullptr, with_variable_values);
}
std::string graph_to_json(const Graph& graph, const TensorList& fetches,
                          bool with_variable_values) {
  return to_json(graph, &fetches, with_variable_values);
}
std::string graph_to_dot(const Graph& graph, const std::string& title) {
  return to_dot(graph, nullptr, title);
}
std::string graph_to_dot(const Graph& graph, const TensorList& fetches, const std::string& title) {
  return to_dot(graph, &fetches, title);
}

namespace {
std::string to_json(const Graph& graph, const TensorList* fetches, bool with_variable_values) {
  json nodes = json::array();
  for (const Node* n : selected(graph, fetches)) {
    json j{{"name", n->name()},
           {"op", n->op()},
           {"dtype", dtype_name(n->dtype())},
           {"shape", shape_json(n->shape())}};
    json inputs = json::array(), controls = json::array(), attrs = json::object();
    for (const Node* in : n->inputs()) inputs.push_back(in->name());
    for (const Node* c : n->control_inputs()) controls.push_back(c->name());
    for (const auto& [k, v] : n->attrs().entries()) attrs[k] = attr_json(v);
    j["inputs"] = inputs;
    if (!controls.empty()) j["control_inputs"] = controls;
    j["attrs"] = attrs;
    if (n->kind() == NodeKind::Constant)
      j["value"] = tensor_json(static_cast<const Constant*>(n)->value());
    if (n->kind() == NodeKind::Variable) {
      auto s = n->variable_state();
      json v{{"trainable", s->trainable}};
      if (s->home_graph == &graph && s->initial_value)
        v["initial_value"] = s->initial_value->name();
      if (with_variable_values && s->storage)
        v["value"] = tensor_json(Tensor::make_eager(s->storage, s->shape, s->dtype));
      j["variable"] = v;
    }
    nodes.push_back(j);
  }
  return json{{"format", "nabla-graph"}, {"version", 1}, {"nodes", nodes}}.dump(1);
}
}  // namespace

namespace {
std::unique_ptr<Graph> graph_from_document(const json& doc);
}  // namespace

std::unique_ptr<Graph> graph_from_json(const std::string& text) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::exception& e) {  // parse_error, or out_of_range for 1e400
    throw ValueError(std::string("graph JSON does not parse: ") + e.what());
  }
  // A key of the wrong type or missing outside a node (the nodes name themselves) is still a
  // ValueError, not a JSON library exception.
  try {
    return graph_from_document(doc);
  } catch (const nlohmann::json::exception& e) {
    throw ValueError(std::string("graph JSON: ") + e.what());
  }
}

namespace {
std::unique_ptr<Graph> graph_from_document(const json& doc) {
  if (!doc.is_object() || doc.value("format", "") != "nabla-graph")
    throw ValueError("not a nabla graph: the JSON lacks \"format\": \"nabla-graph\"");
  auto g = std::make_unique<Graph>();
  auto scope = g->as_default();
  for (const auto& j : doc.at("nodes")) {
    const std::string name = j.at("name").get<std::string>();
    const std::string where = "graph JSON node '" + name + "'";
    try {
      const std::string op = j.at("op").get<std::string>();
      Attrs attrs;
      for (const auto& [k, v] : j.at("attrs").items()) attrs.set(k, attr_from(v, where));
      TensorList inputs;
      for (const auto& in : j.at("inputs"))
        inputs.push_back(g->node(in.get<std::string>()).output());
      std::vector<Node*> controls;
      for (const auto& c : j.value("control_inputs", json::array()))
        controls.push_back(&g->node(c.get<std::string>()));
      Node* made = nullptr;
      if (op == "Placeholder") {
        made = g->placeholder(attrs.get_dtype("dtype"), attrs.get_shape("shape"), name).node();
      } else if (op == "Const") {
        made = g->constant(tensor_from(j.at("value"), where), name).node();
      } else if (op == "Variable") {
        const json& v = j.at("variable");
        auto state = std::make_shared<VariableState>();
        state->name = name;
        state->dtype = attrs.get_dtype("dtype");
        state->shape = attrs.get_shape("shape");
        state->trainable = v.value("trainable", true);
        state->id = detail::next_tensor_id();
        state->home_graph = g.get();
        if (v.contains("initial_value"))
          state->initial_value = &g->node(v["initial_value"].get<std::string>());
        if (v.contains("value")) {
          Variable(state).assign(tensor_from(v["value"], where));
        }
        made = g->variable_node(state);
      } else {
        made =
            g->add_operation(OpRegistry::global().get(op).id, inputs, attrs, name, controls).node();
      }
      if (made->name() != name) throw ValueError(where + ": the name is used twice in the file");
    } catch (const nlohmann::json::exception& e) {
      throw ValueError(where + ": " + e.what());
    }
  }
  return g;
}
}  // namespace

namespace {
std::string to_dot(const Graph& graph, const TensorList* fetches, const std::string& title) {
  const std::vector<const Node*> nodes = selected(graph, fetches);
  const std::set<const Node*> shown(nodes.begin(), nodes.end());
  std::ostringstream os;
  auto quote = [](const std::string& s) {
    std::string out = "\"";
    for (char c : s) out += (c == '"' ? std::string("\\\"") : std::string(1, c));
    return out + "\"";
  };
  os << "digraph " << quote(title) << " {\n  rankdir=TB;\n  node [fontname=\"Helvetica\"];\n";
  for (const Node* n : nodes) {
    std::string shape = "box", style = "rounded,filled", color = "#dde8f5";
    switch (n->kind()) {
      case NodeKind::Placeholder:
        shape = "invhouse", color = "#f5e6c8";
        break;
      case NodeKind::Variable:
        shape = "cylinder", color = "#d5f0d5";
        break;
      case NodeKind::Constant:
        shape = "ellipse", color = "#eeeeee";
        break;
      case NodeKind::Operation:
        break;
    }
    std::string label = n->name() + "\\n" + n->op();
    if (n->has_output()) label += " " + n->shape().to_string();
    os << "  n" << n->id() << " [label=" << quote(label) << ", shape=" << shape << ", style=\""
       << style << "\", fillcolor=\"" << color << "\"];\n";
  }
  for (const Node* n : nodes) {
    for (const Node* in : n->inputs())
      os << "  n" << in->id() << " -> n" << n->id() << " [label=" << quote(in->shape().to_string())
         << "];\n";
    for (const Node* c : n->control_inputs())
      os << "  n" << c->id() << " -> n" << n->id() << " [style=dashed];\n";
  }
  os << "}\n";
  return os.str();
}
}  // namespace

}  // namespace nabla
