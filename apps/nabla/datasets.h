// Loading the data a config names, and the preprocessing saved with a model.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include <nabla/nabla.h>

#include "run_config.h"

namespace nabla::cli {

/// Scale, standardization statistics (from the training split only) and class names: computed
/// at train time, saved in model.h5, applied again by evaluate and predict.
struct Preprocessing {
  double scale = 1.0;
  std::vector<float> mean, stddev;         // empty: no standardization
  std::vector<std::string> classes;        // string labels, sorted; index = class
  std::vector<std::string> feature_names;  // CSV feature columns, in order
  bool allow_non_finite = false;           // data.allow_non_finite of the training config
  /// Scales and standardizes x in place (no copy of the data set).
  void apply(Tensor& x) const;
  nlohmann::json to_json() const;
  /// From the attributes saved with a model (none saved: no preprocessing).
  static Preprocessing from_attributes(const FileAttributes& attributes);
  /// As attributes to save with the model (save_model, ModelCheckpoint).
  FileAttributes to_attributes() const;
};

/// Features (float32, [n, ...]) and labels (float32 [n] or [n, k]; undefined when absent).
struct Split {
  Tensor x, y;
};

/// Reads one data source. `pre` supplies CSV class names and feature columns (for test data to
/// use the training split's) and receives them when reading the training split.
Split load_split(const DataSource& src, Preprocessing& pre, bool first_split);

/// Makes x fit the model's input shape when only the layout differs (28x28 images for a
/// 784-input model), and checks it otherwise; ConfigError naming `path`.
Tensor fit_to_model(const Tensor& x, const Model& model, const std::string& path);

/// Checks labels against the model and loss (class indices in range); ConfigError naming `path`.
void check_labels(const Tensor& y, const Model& model, const std::string& path);

/// Features from a file given to `nabla predict` (.csv, .npy or .h5 with `dataset`).
Tensor load_input(const std::string& file, const std::string& dataset, const Preprocessing& pre);

}  // namespace nabla::cli
