// The optimizer's part of Keras 3's native weights layout (keras3_weights.h): /optimizer/vars/<i>,
// taken by position as Keras takes them (its slot names change between a save and a load).
#include <iostream>

#include "framework/core/errors.h"
#include "framework/io/hdf5.h"
#include "framework/keras/keras3_weights.h"

namespace nabla {

void OptimizerAssignment::apply(Optimizer& optimizer) const {
  for (const auto& [variable, value] : variables) {
    Variable v = variable;
    v.assign(value);
  }
  if (learning_rate && !optimizer.has_schedule()) optimizer.set_learning_rate(*learning_rate);
}

VariableList keras3_optimizer_variables(const Optimizer& optimizer) {
  VariableList vars = optimizer.variables_in_keras_order();  // iteration, slots, other state
  if (!optimizer.has_schedule()) vars.insert(vars.begin() + 1, optimizer.learning_rate_variable());
  return vars;
}

void write_keras3_optimizer(const Model& model, h5::Group& root) {
  Model handle = model;
  handle.train_step();  // makes the optimizer's slots
  const Optimizer& optimizer = model.optimizer();
  h5::Group g = root.create_group("optimizer/vars");
  g.set_string("name", optimizer.name());
  const VariableList vars = keras3_optimizer_variables(optimizer);
  for (size_t i = 0; i < vars.size(); ++i) {
    const std::string key = std::to_string(i);
    if (vars[i].dtype() == DType::Int64) {
      g.write_int(key, vars[i].value().item<int64_t>());
    } else {
      g.write(key, vars[i].value());
    }
  }
}

std::optional<OptimizerAssignment> optimizer_state_from_keras3(
    Model& model, size_t count, const std::function<Shape(size_t)>& shape_of,
    const std::function<Tensor(size_t, bool integer)>& read,
    const std::function<std::string(size_t)>& where) {
  model.train_step();  // makes the optimizer's slots
  Optimizer& optimizer = model.optimizer();
  const VariableList vars = keras3_optimizer_variables(optimizer);
  const size_t prefix = optimizer.has_schedule() ? 1 : 2;  // iteration (and learning_rate)
  size_t take = vars.size();
  if (count != vars.size()) {
    // Saved after compile but before the first step: a fresh optimizer is that state already.
    const bool before_first_step = count == prefix && count < vars.size() &&
                                   shape_of(0).rank() == 0 && read(0, true).item<int64_t>() == 0;
    if (!before_first_step) {
      std::cerr << "Skipping variable loading for optimizer '" << optimizer.name()
                << "', because it has " << vars.size()
                << " variables whereas the saved optimizer has " << count
                << " variables: it starts fresh (as in Keras)\n";
      return std::nullopt;
    }
    take = prefix;
  }
  OptimizerAssignment out;
  for (size_t i = 0; i < take; ++i) {
    const Shape shape = shape_of(i);
    if (shape != vars[i].shape())
      throw IOError(where(i) + ": shape " + shape.to_string() +
                    " does not match optimizer variable '" + vars[i].name() + "' of shape " +
                    vars[i].shape().to_string());
    const Tensor value = read(i, vars[i].dtype() == DType::Int64);
    if (i == 1 && prefix == 2) {
      out.learning_rate = value.to_vector<double>().at(0);
    } else {
      out.variables.emplace_back(vars[i], value);
    }
  }
  return out;
}

std::optional<OptimizerAssignment> read_keras3_optimizer(Model& model, const h5::Group& vars) {
  const size_t count = vars.children().size();
  auto dataset = [&](size_t i) {
    const std::string key = std::to_string(i);
    if (!vars.has(key))
      throw IOError("HDF5 file '" + vars.file() + "': dataset '" + vars.child_path(key) +
                    "' is missing (the optimizer's variables are numbered 0 to " +
                    std::to_string(count - 1) + ")");
    return key;
  };
  return optimizer_state_from_keras3(
      model, count, [&](size_t i) { return vars.dataset_shape(dataset(i)); },
      [&](size_t i, bool integer) {
        const std::string key = dataset(i);
        return integer ? Tensor::scalar(static_cast<double>(vars.read_int(key)), DType::Int64)
                       : vars.read(key);
      },
      [&](size_t i) {
        return "HDF5 file '" + vars.file() + "', path '" + vars.child_path(std::to_string(i)) + "'";
      });
}

}  // namespace nabla
