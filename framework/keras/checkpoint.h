// Saving and loading models in Keras's files: free functions over Model (Model::save and friends
// call them).
#pragma once

#include <map>
#include <string>

#include "framework/keras/model.h"

namespace nabla {

/// Saves the model to an .h5 file in Keras 2's legacy layout (which every Keras reads): weights,
/// model config, training config and optimizer state, plus `attributes`. All or nothing (see
/// framework/io/atomic_file.h).
void save_model(const Model& model, const std::string& path, const FileAttributes& attributes = {});
/// Saves the weights alone in Keras 2's legacy weights layout.
void save_weights(const Model& model, const std::string& path);
/// Loads weights saved by save_weights/save_model (nabla's or Keras's, legacy or Keras 3 layout),
/// matched layer by layer in order; the model is unchanged if anything fails.
void load_weights(Model& model, const std::string& path);

/// Rebuilds a model saved by save_model (or Keras's model.save to .h5): architecture from
/// `model_config`, weights from `model_weights`, and, when the file has a `training_config`,
/// compiled with its loss, metrics and optimizer, whose state (iteration count and slots) is
/// restored from `optimizer_weights` so training resumes exactly where it stopped. The file's
/// extra attributes go to `attributes` when given. Errors name the file and the HDF5 path.
Model load_model(const std::string& path, Device device = Device::CPU,
                 FileAttributes* attributes = nullptr);

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
std::string keras_version_for(const Model& model);

}  // namespace nabla
