// save_model / load_model / save_weights / load_weights: the format chosen by the file's
// extension, as Keras chooses it (the rules are in checkpoint.h).
#include <filesystem>

#include "framework/core/errors.h"
#include "framework/io/atomic_file.h"
#include "framework/io/hdf5.h"
#include "framework/keras/checkpoint.h"
#include "framework/keras/h5_checkpoint.h"
#include "framework/keras/keras3_weights.h"
#include "framework/keras/keras_archive.h"

namespace nabla {
namespace {

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

bool is_h5(const std::string& path) {
  return ends_with(path, ".h5") || ends_with(path, ".hdf5");
}

[[noreturn]] void unknown_extension(const std::string& what, const std::string& path,
                                    const std::string& known) {
  const std::string ext = std::filesystem::path(path).extension().string();
  throw ValueError(
      what + "('" + path + "'): " +
      (ext.empty() ? std::string("the name has no extension") : "unknown extension '" + ext + "'") +
      "; expected " + known);
}

}  // namespace

FileFormat file_format(const std::string& path) {
  if (ends_with(path, ".keras")) return FileFormat::kKerasArchive;
  if (ends_with(path, ".weights.h5")) return FileFormat::kKeras3Weights;
  if (is_h5(path)) return FileFormat::kH5;
  return FileFormat::kUnknown;
}

void save_model(const Model& model, const std::string& path, const FileAttributes& attributes) {
  switch (file_format(path)) {
    case FileFormat::kKerasArchive:
      return save_keras_archive(model, path, attributes);
    case FileFormat::kH5:
      return save_h5_model(model, path, attributes);
    case FileFormat::kKeras3Weights:
      throw ValueError("save_model('" + path +
                       "'): a name ending in .weights.h5 is a weights file (save_weights writes "
                       "it); a whole model goes to .keras or .h5");
    case FileFormat::kUnknown:
      break;
  }
  unknown_extension("save_model", path, ".keras, .h5 or .hdf5");
}

void save_weights(const Model& model, const std::string& path) {
  switch (file_format(path)) {
    case FileFormat::kKeras3Weights:
      if (!model.built())
        throw StateError("model '" + model.name() +
                         "' has no weights yet (build it or fit it first)");
      return h5::write_atomically(path, [&](h5::Group& root) {
        write_keras3_weights(model, root, /*with_optimizer=*/true);
      });
    case FileFormat::kH5:
      return save_h5_weights(model, path);
    case FileFormat::kKerasArchive:
      throw ValueError("save_weights('" + path +
                       "'): a .keras archive holds a whole model (save_model writes it); "
                       "weights go to .weights.h5 or .h5");
    case FileFormat::kUnknown:
      break;
  }
  unknown_extension("save_weights", path, ".weights.h5, .h5 or .hdf5");
}

void load_weights(Model& model, const std::string& path) {
  switch (file_format(path)) {
    case FileFormat::kKerasArchive:
      return load_keras_archive_weights(model, path);
    case FileFormat::kKeras3Weights:
    case FileFormat::kH5:
      return load_h5_weights(model, path);
    case FileFormat::kUnknown:
      break;
  }
  unknown_extension("load_weights", path, ".keras, .weights.h5, .h5 or .hdf5");
}

Model load_model(const std::string& path, Device device, FileAttributes* attributes) {
  switch (file_format(path)) {
    case FileFormat::kKerasArchive:
      return load_keras_archive(path, device, attributes);
    case FileFormat::kH5:
    case FileFormat::kKeras3Weights:  // read to say it holds weights only
      return load_h5_model(path, device, attributes);
    case FileFormat::kUnknown:
      break;
  }
  unknown_extension("load_model", path, ".keras, .h5 or .hdf5");
}

}  // namespace nabla
