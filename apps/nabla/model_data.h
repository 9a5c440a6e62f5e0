// The model a config describes, compiled as it says, and the data of a split as one tensor per
// model input and per output: the form every model takes, one input or several.
#pragma once

#include <string>
#include <vector>

#include <nabla/nabla.h>

#include "datasets.h"
#include "run_config.h"

namespace nabla::cli {

/// The config's model; ConfigError("model.config", ...) when it cannot be built.
Model build_model(const RunConfig& rc);

/// Compiles `model` as the config's compile section says, with Keras's compile arguments: one
/// loss or one per output name, metrics for every output or per output name, loss_weights by
/// output name. ConfigError naming the key on failure.
void compile_model(Model& model, const RunConfig& rc, Device device);

/// One split: a tensor per model input and per output, in the model's order (y empty when the
/// source has no labels).
struct ModelData {
  TensorList x, y;
  int64_t rows() const { return x.empty() ? 0 : x[0].shape()[0]; }
  /// Rows [begin, end) of every tensor.
  ModelData rows(int64_t begin, int64_t end) const;
};

/// Whether the source names its inputs and targets ("inputs"/"targets") rather than giving one
/// x and one y.
bool uses_names(const DataSource& src);

/// Reads a source that names the model's inputs and outputs (npy files, hdf5 datasets or csv
/// columns by name): every input and, when targets are given, every output needs an entry, and
/// no other name may appear; all have the same rows; each input is shaped to its model input and
/// multiplied by `scale`. ConfigError naming the JSON path otherwise.
ModelData load_named_split(const DataSource& src, const Model& model, double scale);

/// Checks the labels of every output against its loss (class indices within the output's width
/// for sparse losses); ConfigError naming `path` and the output. Builds the training step first.
void check_model_labels(const ModelData& data, Model& model, const std::string& path);

/// Shapes x to input `index` of the model when only the layout differs (28x28 images for a
/// 784-input model); ConfigError naming `path` when it cannot fit.
Tensor fit_to_input(const Tensor& x, const Model& model, size_t index, const std::string& path);

/// The inputs of `nabla predict`: one file per model input, in order (a .h5 file's dataset is
/// `dataset`, or the input's name when that is empty), or, for a model with several inputs, one
/// .h5 or .npz file holding a dataset per input name. Preprocessing `pre` is applied.
TensorList load_predict_inputs(const std::vector<std::string>& files, const std::string& dataset,
                               const Model& model, const Preprocessing& pre);

}  // namespace nabla::cli
