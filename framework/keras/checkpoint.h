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
/// Written instead with a model that has Keras 3's hard_sigmoid, relu6(x + 3) / 6, which Keras 2
/// files cannot name ("hard_sigmoid" in a Keras 2 file is clip(0.2 x + 0.5, 0, 1)), so that nabla
/// reads the file back as the same model. Keras itself does not look at the version: Keras 3
/// reads "hard_sigmoid" as its function and tf-keras 2 as its own, whatever the file says.
constexpr const char* kKeras3Version = "3.0.0";
/// The keras_version of `model`'s config: kKerasVersion, or kKeras3Version when a layer needs it
/// (Layer::keras_major). ValueError when layers need both: no file can be read back as that model.
std::string keras_version_for(const Sequential& model);

}  // namespace nabla
