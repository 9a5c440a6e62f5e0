// Saving and loading models in Keras's files: free functions over Model (Model::save and friends
// call them).
#pragma once

#include <map>
#include <string>

#include "framework/keras/model.h"

namespace nabla {

/// Which format a file name selects, by its ending (case-sensitive), as Keras chooses:
///
///  - `.keras`: Keras 3's .keras archive. save_model writes it; load_model and load_weights
///    read it; save_weights refuses it (ValueError).
///  - `.weights.h5`: Keras 3's native weights layout. save_weights writes it; load_weights
///    reads any Keras weights layout found in it; save_model refuses it (ValueError) and
///    load_model says it holds weights only (IOError).
///  - `.h5`, `.hdf5`: Keras 2's legacy layout, which save_model and save_weights write; the
///    loaders read any Keras layout, found from the content.
///  - anything else: a ValueError naming the extension.
///
/// Keras 2's legacy layout is what both Keras versions read from .h5 files; the native layout
/// (keras3_weights.h) is what both read from a name ending in .weights.h5 (tf-keras too).
enum class FileFormat { kKerasArchive, kKeras3Weights, kH5, kUnknown };
/// The format `path` selects (see FileFormat).
FileFormat file_format(const std::string& path);

/// Saves the whole model: to a .keras archive (Keras 3's format: config.json with the
/// compile_config, model.weights.h5 in Keras 3's native layout with the optimizer's state,
/// metadata.json; see keras_archive.h) or to an .h5 file in Keras 2's legacy layout (weights,
/// model config, training config and optimizer state), plus `attributes`. All or nothing (see
/// framework/io/atomic_file.h). ValueError for another extension (see FileFormat).
void save_model(const Model& model, const std::string& path, const FileAttributes& attributes = {});
/// Saves the weights alone: Keras 3's native layout for a name ending in .weights.h5 (with the
/// optimizer's state when the model is compiled, as Keras 3 writes it), Keras 2's legacy layout
/// for another .h5 or .hdf5 name; ValueError otherwise.
void save_weights(const Model& model, const std::string& path);
/// Loads weights saved by save_weights/save_model (nabla's or Keras's, legacy or Keras 3
/// layout, or a .keras archive's); the model is unchanged if anything fails. Legacy files are
/// matched layer by layer in order, Keras 3's native layout by Keras's keys (keras3_weights.h),
/// with the optimizer's state too when the model is compiled and the file has one.
void load_weights(Model& model, const std::string& path);

/// Rebuilds a model saved by save_model (or Keras's model.save to .keras or .h5): architecture
/// from the model config, weights, and, when the file has a training or compile config,
/// compiled with its loss, metrics and optimizer, whose state (iteration count, learning rate
/// and slots; Keras 3's by position) is restored so training resumes exactly where it stopped.
/// The file's extra attributes go to `attributes` when given. Errors name the file and the HDF5
/// path or archive member.
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
