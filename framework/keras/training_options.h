// Arguments of fit, evaluate and predict, as in Keras.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "framework/core/options.h"
#include "framework/core/tensor.h"
#include "framework/distributed/strategy.h"
#include "framework/keras/callbacks.h"

namespace nabla {

/// Validation data: inputs and targets, one tensor per model input and output.
struct ValidationData {
  TensorList x, y;
  ValidationData(Tensor x, Tensor y) : x{std::move(x)}, y{std::move(y)} {}
  ValidationData(const std::pair<Tensor, Tensor>& xy) : x{xy.first}, y{xy.second} {}  // NOLINT
  ValidationData(TensorList x, TensorList y) : x(std::move(x)), y(std::move(y)) {}
};
/// Weight per class index.
using ClassWeight = std::map<int64_t, double>;

/// Keras's fit() arguments: `model.fit(x, y, FitOptions().epochs(10).batch_size(128))`.
struct FitOptions {
  NABLA_ARG(int, batch_size) = 32;
  NABLA_ARG(int, epochs) = 1;
  /// 0 silent, 1 progress bar (one line per epoch when output is not a terminal), 2 one line per
  /// epoch.
  NABLA_ARG(int, verbose) = 1;
  NABLA_ARG(std::vector<CallbackPtr>, callbacks) = {};
  /// Fraction of the data held out for validation: the *last* samples of x and y, taken before
  /// any shuffling (as Keras does).
  NABLA_ARG(double, validation_split) = 0.0;
  /// Explicit validation data (x, y); takes precedence over validation_split.
  NABLA_ARG(std::optional<ValidationData>, validation_data) = std::nullopt;
  /// Reshuffle the training samples before each epoch.
  NABLA_ARG(bool, shuffle) = true;
  /// Weight of each class in the loss (sparse or one-hot labels), multiplied into sample weights.
  NABLA_ARG(ClassWeight, class_weight) = {};
  /// Per-sample loss weights, shape [samples].
  NABLA_ARG(Tensor, sample_weight) = Tensor();
  /// Epoch to start from (when resuming): epochs run from initial_epoch to epochs - 1.
  NABLA_ARG(int, initial_epoch) = 0;
  /// Seed of the shuffles (the global seed sequence when unset).
  NABLA_ARG(std::optional<uint64_t>, seed) = std::nullopt;
  /// Trains with this strategy (and uses it from then on, as compile(..., strategy) would):
  /// distributed::MultiWorker() trains data-parallel over the ranks of an MPI job, batch_size
  /// being the global batch. Unset: the model's strategy (a single process unless compile set
  /// one).
  NABLA_ARG(std::optional<distributed::Strategy>, strategy) = std::nullopt;
};

/// Keras's evaluate() arguments.
struct EvaluateOptions {
  NABLA_ARG(int, batch_size) = 32;
  NABLA_ARG(int, verbose) = 1;
  NABLA_ARG(Tensor, sample_weight) = Tensor();
  NABLA_ARG(std::vector<CallbackPtr>, callbacks) = {};
};

/// Keras's predict() arguments.
struct PredictOptions {
  NABLA_ARG(int, batch_size) = 32;
  NABLA_ARG(int, verbose) = 0;
};

}  // namespace nabla
