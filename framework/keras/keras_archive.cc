#include "framework/keras/keras_archive.h"

#include <ctime>
#include <nlohmann/json.hpp>

#include "framework/core/errors.h"
#include "framework/io/atomic_file.h"
#include "framework/io/hdf5_memory.h"
#include "framework/keras/checkpoint.h"
#include "framework/keras/compile_config.h"
#include "framework/keras/keras3_config.h"
#include "framework/keras/keras3_weights.h"
#include "framework/keras/model_layer.h"
#include "layers/activations.h"

namespace nabla {
namespace {

using json = nlohmann::json;

constexpr const char* kConfig = "config.json";
constexpr const char* kMetadata = "metadata.json";
constexpr const char* kWeights = "model.weights.h5";

// A layer, anywhere in the model, that only a Keras 2 config can name.
const Layer* keras2_only_layer(const Model& model) {
  for (const LayerPtr& l : model.layers()) {
    if (const auto* nested = dynamic_cast<const ModelLayer*>(l.get())) {
      if (const Layer* found = keras2_only_layer(nested->model())) return found;
    } else if (l->keras_major() == 2) {
      return l.get();
    }
  }
  return nullptr;
}

std::string now_as_keras_writes_it() {
  const std::time_t t = std::time(nullptr);
  std::tm local{};
  localtime_r(&t, &local);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d@%H:%M:%S", &local);
  return text;
}

json parse_member(const ZipReader& zip, const char* member) {
  try {
    return json::parse(zip.read(member));
  } catch (const json::exception& e) {
    throw IOError("Keras archive '" + zip.path() + "', member '" + member +
                  "' is not JSON: " + e.what());
  }
}

std::string weights_member(const ZipReader& zip) {
  if (zip.has(kWeights)) return zip.read(kWeights);
  if (zip.has("model.weights.npz"))
    throw UnimplementedError("Keras archive '" + zip.path() +
                             "' holds its weights as model.weights.npz (Keras's "
                             "weights_format=\"npz\"); nabla reads model.weights.h5");
  zip.entry(kWeights);  // the IOError listing the members there are
  return {};
}

}  // namespace

void save_keras_archive(const Model& model, const std::string& path,
                        const FileAttributes& attributes) {
  if (!model.built())
    throw StateError("model '" + model.name() + "' is not built yet: nothing to save");
  if (const Layer* l = keras2_only_layer(model))
    throw ValueError("model '" + model.name() + "' cannot be saved as a .keras archive: layer '" +
                     l->name() + "' has Keras 2's hard_sigmoid, which a Keras 3 config cannot " +
                     "name; save it as .h5");
  Model handle = model;
  if (model.compiled()) handle.train_step();  // resolves the metrics and makes the slots
  const json config = keras3_model_config(model);
  std::string weights = h5::write_image(path + "/" + kWeights, [&](h5::Group& root) {
    write_keras3_weights(model, root, /*with_optimizer=*/true);
  });
  json metadata{{"keras_version", kKeras3Version}, {"date_saved", now_as_keras_writes_it()}};
  for (const auto& [key, value] : attributes) metadata["nabla_" + key] = value;
  write_file_atomically(path, [&](const std::string& temp) {
    ZipWriter zip(temp);
    zip.add(kMetadata, metadata.dump());
    zip.add(kConfig, config.dump());
    zip.add(kWeights, std::move(weights));
    zip.close();
  });
}

Model load_keras_archive(const std::string& path, Device device, FileAttributes* attributes,
                         ZipLimits limits) {
  const ZipReader zip(path, limits);
  const std::string where = "Keras archive '" + path + "', member '" + kConfig + "'";
  json config = parse_member(zip, kConfig);
  json metadata = zip.has(kMetadata) ? parse_member(zip, kMetadata) : json::object();
  if (!config.is_object())
    throw IOError(where + ": expected a model config object, got " + config.type_name());
  const json version = metadata.is_object() ? metadata.value("keras_version", json()) : json();
  config["keras_version"] = version.is_string() ? version : json("3");
  const std::string weights = weights_member(zip);  // size and CRC checked before any parsing

  Model model;
  try {
    model = model_from_config(config);
  } catch (const Error&) {
    rethrow_with_context(where + ": ");
  }
  if (!model.built()) throw IOError(where + ": the model config gives no input shape");
  const json compile = config.value("compile_config", json());
  if (compile.is_object() && !compile.empty()) {
    json with_optimizer = compile;
    // Keras compiles with its default optimizer when the config names none.
    if (!with_optimizer.contains("optimizer") || with_optimizer["optimizer"].is_null())
      with_optimizer["optimizer"] = "rmsprop";
    try {
      KerasVersionScope keras3(3);
      compile_from_config(model, with_optimizer, device);
    } catch (const Error&) {
      rethrow_with_context(where + ", compile_config: ");
    } catch (const json::exception& e) {
      throw IOError(where + ", compile_config: " + e.what());
    }
  } else if (device != Device::CPU) {
    model.to(device);
  }
  const h5::Group root = h5::open_image(weights, path + "/" + kWeights);
  load_keras3_weights(model, root, /*with_optimizer=*/true);
  if (attributes && metadata.is_object())
    for (const auto& [key, value] : metadata.items())
      if (key.rfind("nabla_", 0) == 0 && value.is_string())
        (*attributes)[key.substr(6)] = value.get<std::string>();
  return model;
}

void load_keras_archive_weights(Model& model, const std::string& path, ZipLimits limits) {
  const ZipReader zip(path, limits);
  const h5::Group root = h5::open_image(weights_member(zip), path + "/" + kWeights);
  load_keras3_weights(model, root, /*with_optimizer=*/true);
}

}  // namespace nabla
