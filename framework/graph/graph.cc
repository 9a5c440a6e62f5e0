#include "framework/graph/graph.h"

#include "framework/core/tensor_impl.h"
#include "framework/ops/dispatch.h"
#include "framework/ops/op_def.h"

namespace nabla {
namespace {

thread_local std::vector<Graph*> default_stack;
thread_local std::vector<Graph*> capture_stack;

// apply_op's graph route: an op call belongs to the graph of its symbolic inputs; with no inputs
// at all to the default graph; with an input reading a variable, while a graph is capturing, to
// that graph (see CaptureScope). Otherwise it runs eagerly: an undefined result says so.
Tensor build_in_graph(const OpDef& def, const TensorList& inputs, const Attrs& attrs,
                      const std::string& name) {
  Graph* graph = nullptr;
  for (const Tensor& t : inputs)
    if (t.defined() && t.is_symbolic()) {
      graph = t.graph();
      break;
    }
  if (!graph && inputs.empty()) graph = &Graph::get_default();
  if (!graph && Graph::capturing())
    for (const Tensor& t : inputs)
      if (t.defined() && t.variable()) graph = Graph::capturing();
  if (!graph) return Tensor();
  return graph->add_operation(def.id, inputs, attrs, name);
}

const bool routed = [] {
  op_routes().build = build_in_graph;
  return true;
}();

}  // namespace

Graph::Graph() = default;
Graph::~Graph() {
  // Graph variables point back at this graph; detach them so a Variable handle that outlives
  // the graph reports a clear error instead of touching freed memory.
  for (auto& [state, node] : variable_nodes_) {
    auto* s = const_cast<VariableState*>(state);
    if (s->home_graph == this) s->home_graph = nullptr, s->initial_value = s->initializer = nullptr;
  }
}

Graph::DefaultScope::DefaultScope(Graph* graph) {
  default_stack.push_back(graph);
}
Graph::DefaultScope::~DefaultScope() {
  default_stack.pop_back();
}

Graph& Graph::get_default() {
  if (!default_stack.empty()) return *default_stack.back();
  static Graph process_graph;
  return process_graph;
}

Graph::CaptureScope::CaptureScope(Graph* graph) {
  capture_stack.push_back(graph);
}
Graph::CaptureScope::~CaptureScope() {
  capture_stack.pop_back();
}
Graph* Graph::capturing() {
  return capture_stack.empty() ? nullptr : capture_stack.back();
}

Graph::NameScope::NameScope(Graph* graph, const std::string& name)
    : graph_(graph), saved_(graph->scope_) {
  graph_->scope_ += name + "/";
}
Graph::NameScope::~NameScope() {
  graph_->scope_ = saved_;
}

std::string Graph::unique_name(const std::string& base) {
  const std::string wanted = scope_ + (base.empty() ? "node" : base);
  int& count = name_counts_[wanted];
  std::string name = count == 0 ? wanted : wanted + "_" + std::to_string(count);
  while (by_name_.count(name)) name = wanted + "_" + std::to_string(++count);
  ++count;
  return name;
}

Node* Graph::insert(std::unique_ptr<Node> node, const std::string& name, DType dtype,
                    const Shape& shape, std::vector<Node*> inputs, Attrs attrs,
                    std::vector<Node*> control_inputs) {
  node->id_ = static_cast<int>(nodes_.size());
  node->name_ = name;
  node->dtype_ = dtype;
  node->shape_ = shape;
  node->inputs_ = std::move(inputs);
  node->attrs_ = std::move(attrs);
  node->control_inputs_ = std::move(control_inputs);
  node->graph_ = this;
  Node* raw = node.get();
  nodes_.push_back(std::move(node));
  by_name_[name] = raw;
  return raw;
}

Tensor Graph::placeholder(DType dtype, const Shape& shape, const std::string& name) {
  const OpDef& def = op::Placeholder.def();
  Attrs attrs{{"dtype", dtype}, {"shape", shape}};
  Node* n = insert(std::make_unique<Placeholder>(def), unique_name(name), dtype, shape, {},
                   std::move(attrs), {});
  return n->output();
}

Tensor Graph::constant(const Tensor& value, const std::string& name) {
  if (!value.is_eager())
    throw ValueError("Graph::constant needs an eager tensor value, got " + value.to_string());
  const OpDef& def = op::Const.def();
  Tensor host = value.to(Device::CPU);
  Node* n = insert(std::make_unique<Constant>(def, host), unique_name(name), value.dtype(),
                   value.shape(), {}, Attrs{{"dtype", value.dtype()}}, {});
  return n->output();
}

Variable Graph::variable(const Tensor& initial_value, const std::string& name, bool trainable) {
  if (!initial_value.defined()) throw ValueError("Graph::variable: undefined initial value");
  Tensor init = capture(initial_value);
  if (!init.shape().is_fully_defined())
    throw ShapeError("variable '" + name + "' needs a fully defined shape, got " +
                     init.shape().to_string());
  auto state = std::make_shared<VariableState>();
  state->name = unique_name(name);
  state->dtype = init.dtype();
  state->shape = init.shape();
  state->trainable = trainable;
  state->home_graph = this;
  state->initial_value = init.node();
  state->id = detail::next_tensor_id();
  variable_node(state);
  return Variable(state);
}

Node* Graph::variable_node(const std::shared_ptr<VariableState>& variable) {
  auto it = variable_nodes_.find(variable.get());
  if (it != variable_nodes_.end()) return it->second;
  const OpDef& def = op::Variable.def();
  // A graph variable's node carries the variable's own name ("dense/kernel"); a variable from
  // elsewhere keeps its name too when it is free in this graph.
  std::string name = by_name_.count(variable->name) ? unique_name(variable->name) : variable->name;
  Node* n =
      insert(std::make_unique<VariableNode>(def, variable), name, variable->dtype, variable->shape,
             {}, Attrs{{"dtype", variable->dtype}, {"shape", variable->shape}}, {});
  variable_nodes_[variable.get()] = n;
  return n;
}

Tensor Graph::capture(const Tensor& tensor) {
  if (!tensor.defined()) throw ValueError("cannot use an undefined tensor in a graph");
  if (tensor.is_symbolic()) {
    if (tensor.graph() != this)
      throw ValueError("tensor '" + tensor.name() + "' belongs to another graph");
    return tensor;
  }
  if (tensor.variable()) return variable_node(tensor.variable())->output();
  return constant(tensor);
}

Tensor Graph::add_operation(OpId op, const TensorList& inputs, const Attrs& attrs,
                            const std::string& name, const std::vector<Node*>& control_inputs) {
  const OpDef& def = op.def();
  const std::string node_name = unique_name(name.empty() ? def.name : name);
  std::vector<Node*> in_nodes;
  std::vector<TensorSpec> specs;
  for (const Tensor& t : inputs) {
    Tensor c = capture(t);
    in_nodes.push_back(c.node());
    specs.push_back({c.shape(), c.dtype()});
  }
  check_arity(def, static_cast<int>(inputs.size()), node_name);
  for (int i : def.mutates)
    if (i < static_cast<int>(in_nodes.size()) && in_nodes[i]->kind() != NodeKind::Variable)
      throw TypeError(def.name + " '" + node_name + "': input " + std::to_string(i) +
                      " must be a variable, got '" + in_nodes[i]->name() + "'");
  TensorSpec out = def.infer ? def.infer(InferContext{op, node_name, specs, attrs})
                             : TensorSpec{Shape{}, DType::Float32};
  Node* n = insert(std::make_unique<Operation>(def), node_name, out.dtype, out.shape,
                   std::move(in_nodes), attrs, control_inputs);
  return n->output();
}

Node* Graph::find(const std::string& name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : it->second;
}

Node& Graph::node(const std::string& name) const {
  if (Node* n = find(name)) return *n;
  std::vector<std::string> names;
  for (const auto& [k, v] : by_name_) names.push_back(k);
  throw NotFoundError("no node named '" + name + "' in the graph" + did_you_mean(name, names));
}

VariableList Graph::variables() const {
  VariableList out;
  for (const auto& n : nodes_)
    if (n->kind() == NodeKind::Variable) out.emplace_back(n->variable_state());
  return out;
}

VariableList Graph::trainable_variables() const {
  VariableList out;
  for (const Variable& v : variables())
    if (v.trainable()) out.push_back(v);
  return out;
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
  return graph->add_operation(op::NoOp, {}, {}, name, controls);
}

Tensor placeholder(DType dtype, const Shape& shape, const std::string& name) {
  return Graph::get_default().placeholder(dtype, shape, name);
}

Tensor constant(const Tensor& value, const std::string& name) {
  return Graph::get_default().constant(value, name);
}

const std::string& Node::op() const {
  return def_->name;
}
OpId Node::op_id() const {
  return def_->id;
}
Tensor Node::output() const {
  return Tensor::make_symbolic(const_cast<Node*>(this), graph_, &name_, shape_, dtype_,
                               variable_state());
}
bool Node::has_output() const {
  return def_->has_output;
}

}  // namespace nabla
