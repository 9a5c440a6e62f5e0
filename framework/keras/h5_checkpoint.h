// The HDF5 side of checkpoint.h (checkpoint.cc): Keras 2's legacy layout, and the Keras 3
// layouts found in .h5 files. Internal to framework/keras; users call save_model and friends,
// which choose the format by the file's extension.
#pragma once

#include <string>

#include "framework/keras/model.h"

namespace nabla {

/// A model in Keras 2's legacy .h5 layout (see checkpoint.h's save_model).
void save_h5_model(const Model& model, const std::string& path, const FileAttributes& attributes);
/// Weights alone in Keras 2's legacy layout.
void save_h5_weights(const Model& model, const std::string& path);
/// Weights from an HDF5 file of any Keras layout: legacy weights (@layer_names at the root), a
/// legacy model file (/model_weights) or Keras 3's native layout (/layers).
void load_h5_weights(Model& model, const std::string& path);
/// A model saved to .h5 by nabla or either Keras (see checkpoint.h's load_model).
Model load_h5_model(const std::string& path, Device device, FileAttributes* attributes);

}  // namespace nabla
