// Nodes of a computational graph: placeholders, variables, constants and operations.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "framework/core/attrs.h"
#include "framework/core/tensor.h"
#include "framework/ops/op_table.h"

namespace nabla {

class Graph;
struct OpDef;
struct VariableState;

enum class NodeKind { Placeholder, Variable, Constant, Operation };

/// A vertex of a Graph. Its output is one tensor (or none, for ops run only for their effect,
/// such as an optimizer update); edges are its inputs. Nodes are created by a Graph and live as
/// long as it does; user code holds symbolic Tensors that point at them.
class Node {
 public:
  virtual ~Node() = default;
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  NodeKind kind() const { return kind_; }
  /// Creation order within the graph; inputs always have smaller ids.
  int id() const { return id_; }
  /// Unique within the graph: "Add", "Add_1", "dense/MatMul".
  const std::string& name() const { return name_; }
  /// The op type's name: "Placeholder", "Variable", "Const", or an operation such as "MatMul".
  const std::string& op() const;
  /// The op type.
  OpId op_id() const;
  const OpDef& def() const { return *def_; }
  const std::vector<Node*>& inputs() const { return inputs_; }
  /// Nodes that must run before this one although it reads none of their outputs.
  const std::vector<Node*>& control_inputs() const { return control_inputs_; }
  const Attrs& attrs() const { return attrs_; }
  /// Static output shape (may hold -1) and dtype, inferred when the node was made.
  const Shape& shape() const { return shape_; }
  DType dtype() const { return dtype_; }
  bool has_output() const;
  Graph* graph() const { return graph_; }
  /// A symbolic tensor for this node's output.
  Tensor output() const;
  /// The variable a Variable node reads (nullptr for other kinds).
  virtual std::shared_ptr<VariableState> variable_state() const { return nullptr; }

 protected:
  Node(NodeKind kind, const OpDef& def) : kind_(kind), def_(&def) {}

 private:
  friend class Graph;
  NodeKind kind_;
  const OpDef* def_;
  int id_ = 0;
  std::string name_;
  std::vector<Node*> inputs_;
  std::vector<Node*> control_inputs_;
  Attrs attrs_;
  Shape shape_;
  DType dtype_ = DType::Float32;
  Graph* graph_ = nullptr;
};

/// A node whose value is fed at run time through a Session's feed dict. Its shape may leave
/// dimensions unknown (-1), typically the batch: {-1, 784}.
class Placeholder : public Node {
 public:
  explicit Placeholder(const OpDef& def) : Node(NodeKind::Placeholder, def) {}
};

/// A node whose value is fixed when the graph is built and can never be reassigned.
class Constant : public Node {
 public:
  Constant(const OpDef& def, Tensor value)
      : Node(NodeKind::Constant, def), value_(std::move(value)) {}
  const Tensor& value() const { return value_; }

 private:
  Tensor value_;
};

/// A node that reads a Variable: persistent state that survives across Session runs.
class VariableNode : public Node {
 public:
  VariableNode(const OpDef& def, std::shared_ptr<VariableState> state)
      : Node(NodeKind::Variable, def), state_(std::move(state)) {}
  std::shared_ptr<VariableState> variable_state() const override { return state_; }

 private:
  std::shared_ptr<VariableState> state_;
};

/// A node that computes its output from its inputs with a kernel, and has a gradient rule.
class Operation : public Node {
 public:
  explicit Operation(const OpDef& def) : Node(NodeKind::Operation, def) {}
};

}  // namespace nabla
