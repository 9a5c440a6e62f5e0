// One model that nabla_export_models saves for real Keras to load (see nabla_export_models.cc).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nabla/nabla.h>

namespace nabla::keras_export {

/// A model to save: how to build it, and how to compile and train it before saving.
struct Case {
  std::string name;
  /// One shape per model input, without the batch axis.
  std::vector<Shape> input_shapes;
  std::function<Model()> build;
  /// Compiles with this optimizer (loss from the output: categorical cross-entropy after a
  /// softmax, else mse) and fits `train_epochs`; empty: not compiled (unless `train` is given).
  std::function<OptimizerRef()> optimizer;
  int train_epochs = 0;
  /// Compiles and trains the model itself (several outputs, per-output losses); `seed` draws the
  /// data. Takes the place of `optimizer`.
  std::function<void(Model&, uint64_t seed)> train;
};

/// The Functional cases: several inputs and outputs, a shared layer, every merge layer, nested
/// models, and a model per layer class of Keras's Dense family.
std::vector<Case> functional_cases();

}  // namespace nabla::keras_export
