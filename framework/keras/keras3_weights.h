// Keras 3's native weights layout: model.weights.h5 inside a .keras archive, and the files
// save_weights writes for a name ending in .weights.h5. scripts/keras/README.md ("The .keras
// archive") describes it in full:
//
//   /vars                          the model's own variables (none); @name = the model's name
//   /layers/<key>/vars/<i>         each layer's weights, trainable then non-trainable
//   /layers/<key>/layers/...       a model used as a layer nests, with its own keys
//   /optimizer/vars/<i>            iteration, learning_rate (unless a schedule), then the slots
//
// <key> is not the layer's name but the snake_case of its class made unique within its model in
// model.layers order (dense, dense_1, input_layer, sequential, ...); each `vars` group carries
// the layer's name in its `name` attribute.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "framework/keras/model.h"

namespace nabla {

namespace h5 {
class Group;
}

/// Keras 3's snake_case of a class name, which keys the layers in its files ("PReLU" ->
/// "p_re_lu", "InputLayer" -> "input_layer").
std::string keras3_snake_case(const std::string& class_name);

/// The layers Keras 3 lists as model.layers, in order: a Functional's every layer, InputLayers
/// included; a Sequential's without its InputLayer.
std::vector<LayerPtr> keras3_layers(const Model& model);

/// Writes the model's weights into `root` in Keras 3's layout, and, when `with_optimizer` and the
/// model is compiled, its optimizer's state (the training step is built first so the slots exist).
void write_keras3_weights(const Model& model, h5::Group& root, bool with_optimizer);

/// Loads the weights of `model` from `root` in Keras 3's layout: layers matched by key as Keras
/// does, every count and shape checked first, so on any error (an IOError naming the file and the
/// HDF5 path) nothing is assigned. A `name` attribute naming another layer of the same model means
/// the file lists the layers in another order: an IOError rather than weights in the wrong
/// layers. With `with_optimizer`, a compiled model and an /optimizer group, the optimizer's state
/// is restored too (see optimizer_state_from_keras3).
void load_keras3_weights(Model& model, const h5::Group& root, bool with_optimizer);

/// Values for the variables of an optimizer, all checked, to assign together.
struct OptimizerAssignment {
  std::vector<std::pair<Variable, Tensor>> variables;
  std::optional<double> learning_rate;
  /// Assigns everything.
  void apply(Optimizer& optimizer) const;
};

/// Reads Keras 3's optimizer state, `count` values in Keras 3's order (iteration, learning_rate
/// unless the optimizer follows a schedule, then the slots as Keras makes them), for the compiled
/// `model`, whose training step is built first. `shape_of(i)` and `read(i)` give value i. A count
/// that does not match gives Keras's warning on stderr and nullopt (the optimizer starts fresh, as
/// in Keras), except for a file saved before the first step, which holds only the iteration (0)
/// and the learning rate: they are restored without a warning. `read(i, true)` reads an integer
/// (the iteration count, exactly). A shape that does not match is an IOError naming `where(i)`.
std::optional<OptimizerAssignment> optimizer_state_from_keras3(
    Model& model, size_t count, const std::function<Shape(size_t)>& shape_of,
    const std::function<Tensor(size_t, bool integer)>& read,
    const std::function<std::string(size_t)>& where);

/// The optimizer's variables in Keras 3's order: iteration, the learning rate (unless it follows
/// a schedule), the slots as Keras makes them, then other state (Nadam's momentum product).
VariableList keras3_optimizer_variables(const Optimizer& optimizer);

/// Writes the compiled model's optimizer state to /optimizer/vars (@name = the optimizer's name),
/// building the training step first so that the slots exist.
void write_keras3_optimizer(const Model& model, h5::Group& root);

/// optimizer_state_from_keras3 over the datasets 0, 1, ... of `vars` (an /optimizer/vars group).
std::optional<OptimizerAssignment> read_keras3_optimizer(Model& model, const h5::Group& vars);

}  // namespace nabla
