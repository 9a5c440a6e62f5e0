// Saving and loading models in Keras's HDF5 layouts.
#pragma once

#include <string>

#include "framework/keras/sequential.h"

namespace nabla {

/// Rebuilds a model saved by Sequential::save (or Keras's model.save to .h5): architecture from
/// `model_config`, weights from `model_weights`, and, when the file has a `training_config`,
/// compiled with its loss, metrics and optimizer, whose state (iteration count and slots) is
/// restored from `optimizer_weights` so training resumes exactly where it stopped. Errors name the
/// file and the HDF5 path.
Sequential load_model(const std::string& path, Device device = Device::CPU);

/// The Keras version nabla writes into files ("2.15.0": Keras 2's legacy HDF5 layout, which
/// every Keras and h5py version reads).
constexpr const char* kKerasVersion = "2.15.0";

}  // namespace nabla
