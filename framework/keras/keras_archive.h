// Keras 3's .keras archive: a zip of metadata.json, config.json (the model in Keras 3's config
// form, with its compile_config) and model.weights.h5 (Keras 3's native weights layout, with the
// optimizer's state). scripts/keras/README.md ("The .keras archive") describes what Keras writes.
// save_model and load_model (checkpoint.h) call these for a path ending in ".keras".
#pragma once

#include <string>

#include "framework/io/zip_archive.h"
#include "framework/keras/model.h"

namespace nabla {

/// Writes `model` to the .keras archive `path` as Keras 3 does (members stored, in Keras's
/// order); `attributes` go into metadata.json as "nabla_<key>". All or nothing (framework/io/
/// atomic_file.h). StateError for a model not built yet; ValueError for a model with Keras 2's
/// hard_sigmoid, which a Keras 3 config cannot name.
void save_keras_archive(const Model& model, const std::string& path,
                        const FileAttributes& attributes = {});

/// Rebuilds the model of a .keras archive (nabla's or Keras 3's): its architecture from
/// config.json, compiled with its compile_config when it has one (Keras's RMSprop when that names
/// no optimizer), its weights and optimizer state from model.weights.h5, so training resumes
/// exactly where it stopped. The archive is read within `limits`: a member declaring more is
/// refused before anything is inflated. Errors (IOError, or the config's ValueError) name the
/// archive, the member and what is wrong; nothing is returned half-loaded.
Model load_keras_archive(const std::string& path, Device device = Device::CPU,
                         FileAttributes* attributes = nullptr, ZipLimits limits = {});

/// Loads the weights (and, for a compiled model, the optimizer's state) of the archive's
/// model.weights.h5 into `model`, as load_weights does for a .weights.h5 file.
void load_keras_archive_weights(Model& model, const std::string& path, ZipLimits limits = {});

}  // namespace nabla
