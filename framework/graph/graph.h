// Graph: a TensorFlow-1-style computational graph of placeholders, variables, constants and
// operations.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "framework/graph/node.h"
#include "framework/graph/variable.h"

namespace nabla {

/// A directed acyclic graph whose nodes are operations and whose edges carry tensors.
///
/// Ops on symbolic tensors add nodes to the tensors' graph; functions without a tensor input
/// (placeholder(), constant(), zeros(), random_normal(), ...) add to the *default graph*: the
/// innermost graph made default with `as_default()`, else a process-wide graph. Shapes are
/// inferred when a node is added, so a mismatch is reported where the graph is built.
///
///     Graph g;
///     auto scope = g.as_default();
///     Tensor a = placeholder(DType::Float32, {}, "a");
///     Tensor e = (a + 1.f) * a;
///     Session(g).run(e, {{a, Tensor(2.f)}});  // Tensor(6.0, shape=(), dtype=float32)
class Graph {
 public:
  Graph();
  ~Graph();
  Graph(const Graph&) = delete;
  Graph& operator=(const Graph&) = delete;

  /// Makes this the default graph until the returned guard is destroyed.
  class DefaultScope {
   public:
    explicit DefaultScope(Graph* graph);
    ~DefaultScope();
    DefaultScope(const DefaultScope&) = delete;
    DefaultScope& operator=(const DefaultScope&) = delete;
  };
  [[nodiscard]] DefaultScope as_default() { return DefaultScope(this); }
  /// The innermost default graph of this thread (a process-wide graph when none was set).
  static Graph& get_default();

  /// While alive, an op whose inputs include a read of a variable but no symbolic tensor is added
  /// to this graph instead of running eagerly. Code that builds a graph (a layer called on a
  /// symbolic input, a loss, a regularizer) thus reads variables when the graph runs, not their
  /// values when it was built.
  class CaptureScope {
   public:
    explicit CaptureScope(Graph* graph);
    ~CaptureScope();
    CaptureScope(const CaptureScope&) = delete;
    CaptureScope& operator=(const CaptureScope&) = delete;
  };
  [[nodiscard]] CaptureScope capture_variables() { return CaptureScope(this); }
  /// The innermost capturing graph of this thread, or nullptr.
  static Graph* capturing();

  /// Prefixes the names of nodes added while the guard lives: "dense/" + "MatMul".
  class NameScope {
   public:
    NameScope(Graph* graph, const std::string& name);
    ~NameScope();
    NameScope(const NameScope&) = delete;
    NameScope& operator=(const NameScope&) = delete;

   private:
    Graph* graph_;
    std::string saved_;
  };
  [[nodiscard]] NameScope name_scope(const std::string& name) { return NameScope(this, name); }

  // ---- making nodes ----
  /// A value fed at run time. Use -1 for dimensions known only then (the batch).
  Tensor placeholder(DType dtype, const Shape& shape, const std::string& name = "Placeholder");
  /// A value fixed now (an eager tensor); it can never be reassigned.
  Tensor constant(const Tensor& value, const std::string& name = "Const");
  /// A variable of this graph whose initial value is computed by `initial_value` (an eager
  /// tensor, or a symbolic tensor of this graph such as random_normal(...)) when initialised.
  Variable variable(const Tensor& initial_value, const std::string& name = "Variable",
                    bool trainable = true);
  /// An operation node; infers its shape and dtype now (ShapeError/TypeError on mismatch).
  /// All inputs must be symbolic tensors of this graph.
  Tensor add_operation(OpId op, const TensorList& inputs, const Attrs& attrs = {},
                       const std::string& name = "", const std::vector<Node*>& control_inputs = {});
  /// The node reading `variable` in this graph (made on first use).
  Node* variable_node(const std::shared_ptr<VariableState>& variable);
  /// `tensor` as a node of this graph: symbolic tensors of this graph as they are, variable
  /// reads as variable nodes, other eager tensors as constants.
  Tensor capture(const Tensor& tensor);

  // ---- looking at the graph ----
  /// All nodes in creation order (a topological order).
  const std::vector<std::unique_ptr<Node>>& nodes() const { return nodes_; }
  /// The node called `name`, or nullptr.
  Node* find(const std::string& name) const;
  /// The node called `name`; NotFoundError (with the nearest name) if there is none.
  Node& node(const std::string& name) const;
  /// Every variable read in this graph, in order of first use.
  VariableList variables() const;
  VariableList trainable_variables() const;
  /// A name not used yet, made from `base` in the current name scope: "Add", "Add_1", ...
  std::string unique_name(const std::string& base);

 private:
  Node* insert(std::unique_ptr<Node> node, const std::string& name, DType dtype, const Shape& shape,
               std::vector<Node*> inputs, Attrs attrs, std::vector<Node*> control_inputs);

  std::vector<std::unique_ptr<Node>> nodes_;
  std::map<std::string, Node*> by_name_;
  std::map<std::string, int> name_counts_;
  std::map<const VariableState*, Node*> variable_nodes_;
  std::string scope_;
};

// Free functions that add to the default graph.

/// Graph::get_default().placeholder(...).
Tensor placeholder(DType dtype, const Shape& shape, const std::string& name = "Placeholder");
/// Graph::get_default().constant(...).
Tensor constant(const Tensor& value, const std::string& name = "Const");
/// One op that runs all of `ops` (updates) when fetched, as tf.group. Undefined ops are skipped;
/// with no symbolic op (eager code, where updates already ran) it returns an undefined tensor.
Tensor group(const TensorList& ops, const std::string& name = "group");

}  // namespace nabla
