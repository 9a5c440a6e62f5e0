// Variable: persistent, trainable state shared by graphs, sessions, tapes and checkpoints.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "framework/core/tensor.h"

namespace nabla {

class Graph;
class Node;

/// The state behind a Variable handle. Its value lives in `storage` on one device; graph
/// sessions read and update that storage in place, eager code reads it directly, so a model's
/// weights have one home whichever way they are used.
struct VariableState {
  std::string name;
  DType dtype = DType::Float32;
  Shape shape;
  bool trainable = true;
  std::shared_ptr<Storage> storage;  // null until initialised
  Graph* home_graph = nullptr;       // set for variables made by Graph::variable()
  Node* initial_value = nullptr;     // the node computing the initial value (graph variables)
  Node* initializer = nullptr;       // the Assign op setting it (made on first use)
  uint64_t id = 0;
};

/// A tensor-valued state that persists across runs: model weights, optimizer slots, counters.
///
/// Made in two ways, as in TensorFlow:
///  - `Variable(initial_value, name)`: holds its value at once (TF2 style). Usable in eager code
///    and, when read inside any graph, as a node of that graph. Keras layers make these.
///  - `graph.variable(initial_value_tensor, name)`: belongs to that graph (TF1 style); its value
///    is set when a Session runs `initialize()` or the variable's `initializer()` op, and reading
///    it before that is a StateError naming the variable.
///
/// A Variable converts to a Tensor wherever one is expected (a read of its current value).
class Variable {
 public:
  Variable() = default;
  /// A variable holding a copy of `initial_value` (an eager tensor).
  explicit Variable(const Tensor& initial_value, const std::string& name = "Variable",
                    bool trainable = true);
  explicit Variable(std::shared_ptr<VariableState> state) : state_(std::move(state)) {}

  bool defined() const { return state_ != nullptr; }
  const std::string& name() const { return state().name; }
  const Shape& shape() const { return state().shape; }
  DType dtype() const { return state().dtype; }
  /// Trainable variables are watched by GradientTape automatically and updated by optimizers.
  bool trainable() const { return state().trainable; }
  bool initialized() const { return state().storage != nullptr; }
  Device device() const;

  /// A read of the variable: eager (sharing its storage) or a symbolic node of its graph.
  Tensor read() const;
  operator Tensor() const { return read(); }
  /// The current value as an eager tensor (a copy; StateError if not initialised).
  Tensor value() const;
  /// Sets the value from an eager tensor of the same shape (converted to the variable's dtype
  /// and device). Shape mismatch is a ShapeError naming the variable and both shapes.
  void assign(const Tensor& value);
  /// Moves the value to `device` (a no-op when already there).
  void to(Device device);
  /// For graph variables: an op that, when a Session runs it, sets the initial value.
  Tensor initializer() const;

  const std::shared_ptr<VariableState>& state_ptr() const { return state_; }
  VariableState& state() const;
  bool operator==(const Variable& o) const { return state_ == o.state_; }

 private:
  std::shared_ptr<VariableState> state_;
};

using VariableList = std::vector<Variable>;

/// Reads of each variable, e.g. as the sources of gradients().
TensorList reads(const VariableList& variables);

/// True when every element of every (initialised) variable is finite: no NaN, no infinity. A
/// diverged model is not worth saving over a good file.
bool all_finite(const VariableList& variables);

}  // namespace nabla
