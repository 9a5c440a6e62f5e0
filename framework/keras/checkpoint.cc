// save_model / save_weights / load_weights / load_model, in Keras's HDF5 layouts:
//
//  Keras 2 legacy (what nabla writes; Keras 2 and 3 read it):
//    /@layer_names (fixed-length strings), /@backend, /@keras_version
//    /<layer>/@weight_names = ["dense/kernel:0", "dense/bias:0"], datasets /<layer>/dense/kernel:0
//    model files put that under /model_weights and add /@model_config, /@training_config and
//    /optimizer_weights (@weight_names; "iteration:0", then "<Optimizer>/<slot>/<weight>:0").
//  Keras 3 model.save(.h5): the same, with weight names nested under the model name
//    ("sequential/dense/kernel"), which is just another path under the layer group.
//  Keras 3 .weights.h5: /layers/<key>/vars/<i>, read by keras3_weights.h.
// checkpoint_formats.cc chooses between these and the .keras archive by the file's extension.
#include "framework/keras/checkpoint.h"
#include "framework/keras/h5_checkpoint.h"

#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "framework/core/errors.h"
#include "framework/io/hdf5.h"
#include "framework/keras/compile_config.h"
#include "framework/keras/keras3_weights.h"
#include "layers/activations.h"
#include "layers/input_layer.h"

namespace nabla {
namespace {

// Layers as Keras lists them in files: every layer but the InputLayer.
std::vector<LayerPtr> file_layers(const Model& model) {
  std::vector<LayerPtr> out;
  for (const LayerPtr& l : model.layers())
    if (!dynamic_cast<InputLayer*>(l.get())) out.push_back(l);
  return out;
}

void write_weights(const Model& model, h5::Group& g, const std::string& keras_version) {
  std::vector<std::string> names;
  for (const LayerPtr& l : file_layers(model)) names.push_back(l->name());
  g.set_string_list("layer_names", names);
  g.set_string("backend", "tensorflow");
  g.set_string("keras_version", keras_version);
  for (const LayerPtr& l : file_layers(model)) {
    h5::Group lg = g.create_group(l->name());
    std::vector<std::string> weight_names;
    for (const Variable& v : l->weights()) weight_names.push_back(v.name() + ":0");
    lg.set_string_list("weight_names", weight_names);
    const VariableList ws = l->weights();
    for (size_t i = 0; i < ws.size(); ++i) {
      // Counters (Normalization's "count") are int64 scalars in Keras's files too.
      if (ws[i].dtype() == DType::Int64 && ws[i].shape().rank() == 0) {
        lg.write_int(weight_names[i], ws[i].value().item<int64_t>());
      } else {
        lg.write(weight_names[i], ws[i].value());
      }
    }
  }
}

// Names of the optimizer state in files, in Keras's order (Keras's set_weights takes the values
// by position): "iteration:0", then each slot as Keras 3 names it.
std::vector<std::string> optimizer_weight_names(Optimizer& opt) {
  std::vector<std::string> names;
  for (const Variable& v : opt.variables_in_keras_order()) {
    const std::string& n = v.name();
    names.push_back((v == opt.iterations() ? std::string("iteration") : n) + ":0");
  }
  return names;
}

// A state variable's name without the optimizer's ("adam/dense_kernel_momentum:0" ->
// "dense_kernel_momentum:0"): files name a default-named optimizer as tf-keras does ("Adam"; see
// Sequential::training_config), so the optimizer read back is named unlike the one that wrote.
std::string without_optimizer_name(const std::string& name) {
  const size_t slash = name.find('/');
  return slash == std::string::npos ? name : name.substr(slash + 1);
}

// Values for every weight of `layers`, read from a legacy-layout group; all checked before any
// is assigned.
TensorList read_legacy_weights(const h5::Group& g, const std::vector<LayerPtr>& layers) {
  std::vector<std::string> file_names;
  for (const std::string& name : g.get_string_list("layer_names")) {
    if (!g.has(name))
      throw IOError("HDF5 file '" + g.file() + "': layer group '" + g.child_path(name) +
                    "' is missing");
    if (!g.group(name).get_string_list("weight_names").empty()) file_names.push_back(name);
  }
  std::vector<LayerPtr> weighted;
  for (const LayerPtr& l : layers)
    if (!l->weights().empty()) weighted.push_back(l);
  if (file_names.size() != weighted.size()) {
    auto list = [](const auto& xs, auto name) {
      std::string s;
      for (const auto& x : xs) s += (s.empty() ? "" : ", ") + name(x);
      return s;
    };
    throw IOError("HDF5 file '" + g.file() + "' (" + g.path() + "): it has " +
                  std::to_string(file_names.size()) + " layers with weights (" +
                  list(file_names, [](const std::string& s) { return s; }) +
                  ") but the model has " + std::to_string(weighted.size()) + " (" +
                  list(weighted, [](const LayerPtr& l) { return l->name(); }) + ")");
  }
  TensorList values;
  for (size_t k = 0; k < weighted.size(); ++k) {
    const h5::Group lg = g.group(file_names[k]);
    const std::vector<std::string> names = lg.get_string_list("weight_names");
    const VariableList expected = weighted[k]->weights();
    if (names.size() != expected.size())
      throw IOError("HDF5 file '" + g.file() + "', path '" + lg.path() +
                    "': " + std::to_string(names.size()) + " weights in the file, but layer '" +
                    weighted[k]->name() + "' (" + weighted[k]->class_name() + ") has " +
                    std::to_string(expected.size()));
    for (size_t i = 0; i < names.size(); ++i) {
      const Shape found = lg.dataset_shape(names[i]);
      if (found != expected[i].shape())
        throw IOError("HDF5 file '" + g.file() + "', path '" + lg.child_path(names[i]) +
                      "': shape " + found.to_string() + " does not match weight '" +
                      expected[i].name() + "' of shape " + expected[i].shape().to_string());
      values.push_back(lg.read(names[i]));
    }
  }
  return values;
}

int keras_major(const h5::Group& g) {
  if (!g.has_attribute("keras_version")) return 2;
  const std::string v = g.get_string("keras_version");
  return !v.empty() && v[0] >= '0' && v[0] <= '9' ? v[0] - '0' : 2;
}

}  // namespace

void save_h5_weights(const Model& model, const std::string& path) {
  if (!model.built())
    throw StateError("model '" + model.name() + "' has no weights yet (build it or fit it first)");
  // The layers' configs are not in a weights file: any Keras reads it the same.
  h5::write_atomically(path, [&](h5::Group& root) { write_weights(model, root, kKerasVersion); });
}

void save_h5_model(const Model& model, const std::string& path, const FileAttributes& attributes) {
  if (!model.built())
    throw StateError("model '" + model.name() + "' is not built yet: nothing to save");
  Model handle = model;
  if (model.compiled()) handle.train_step();  // makes the optimizer's slots
  const std::string keras_version = keras_version_for(model);
  h5::write_atomically(path, [&](h5::Group& root) {
    root.set_string("backend", "tensorflow");
    root.set_string("keras_version", keras_version);
    nlohmann::json config = model.get_config();
    root.set_string("model_config", config.dump());
    if (model.compiled()) root.set_string("training_config", model.training_config().dump());
    for (const auto& [key, value] : attributes) root.set_string("nabla_" + key, value);
    h5::Group weights = root.create_group("model_weights");
    write_weights(model, weights, keras_version);
    if (model.compiled()) {
      Optimizer& opt = model.optimizer();
      const VariableList vars = opt.variables_in_keras_order();
      const std::vector<std::string> names = optimizer_weight_names(opt);
      h5::Group og = root.create_group("optimizer_weights");
      og.set_string_list("weight_names", names);
      for (size_t i = 0; i < vars.size(); ++i) {
        if (vars[i].dtype() == DType::Int64) {
          og.write_int(names[i], vars[i].value().item<int64_t>());
        } else {
          og.write(names[i], vars[i].value());
        }
      }
    }
  });
}

void load_h5_weights(Model& model, const std::string& path) {
  const h5::Group root = h5::open_file(path);
  if (!model.built())
    throw StateError("model '" + model.name() +
                     "' must be built before load_weights (give it an input shape)");
  const std::vector<LayerPtr> layers = file_layers(model);
  TensorList values;
  if (root.has_attribute("layer_names")) {
    values = read_legacy_weights(root, layers);
  } else if (root.has("model_weights")) {
    values = read_legacy_weights(root.group("model_weights"), layers);
  } else if (root.has("layers")) {
    load_keras3_weights(model, root, /*with_optimizer=*/true);
    return;
  } else {
    throw IOError("HDF5 file '" + path +
                  "' holds no Keras weights: expected the attribute 'layer_names', the group "
                  "'model_weights' or the group 'layers'");
  }
  // Every shape was checked before this point: nothing is ever half-loaded.
  size_t next = 0;
  for (const LayerPtr& l : layers)
    for (const Variable& v : l->weights()) {
      Variable w = v;
      w.assign(values[next++]);
    }
}

Model load_h5_model(const std::string& path, Device device, FileAttributes* attributes) {
  const h5::Group root = h5::open_file(path);
  if (!root.has_attribute("model_config"))
    throw IOError("HDF5 file '" + path +
                  "' has no attribute 'model_config': it holds weights only; build the model "
                  "in code and call load_weights");
  nlohmann::json config;
  try {
    config = nlohmann::json::parse(root.get_string("model_config"));
  } catch (const nlohmann::json::exception& e) {  // parse_error, or out_of_range for 1e400
    throw IOError("HDF5 file '" + path + "', attribute /@model_config is not JSON: " + e.what());
  }
  config["keras_version"] =
      root.has_attribute("keras_version") ? root.get_string("keras_version") : "2";
  Model model;
  try {
    model = model_from_config(config);
  } catch (const Error&) {
    rethrow_with_context("HDF5 file '" + path + "', /@model_config: ");
  }
  if (!model.built())
    throw IOError("HDF5 file '" + path + "': the model config gives no input shape");
  load_h5_weights(model, path);
  if (attributes)
    for (const std::string& key : root.attribute_names())
      if (key.rfind("nabla_", 0) == 0) (*attributes)[key.substr(6)] = root.get_string(key);

  if (root.has_attribute("training_config")) {
    const std::string training_config = root.get_string("training_config");
    try {
      const nlohmann::json tc = nlohmann::json::parse(training_config);
      KerasVersionScope version(keras_major(root));
      compile_from_config(model, tc, device);
    } catch (const Error&) {
      rethrow_with_context("HDF5 file '" + path + "', /@training_config: ");
    } catch (const nlohmann::json::exception& e) {
      throw IOError("HDF5 file '" + path + "', /@training_config: " + e.what());
    }
    if (root.has("optimizer_weights")) {
      const h5::Group og = root.group("optimizer_weights");
      model.train_step();  // builds the training step, which makes the optimizer's slots
      Optimizer& opt = model.optimizer();
      const VariableList vars = opt.variables_in_keras_order();
      // Matched by name, as files of earlier nabla versions list the state in another order.
      const std::vector<std::string> in_file = og.get_string_list("weight_names");
      std::map<std::string, std::string> file_name;  // without the optimizer's name -> in file
      for (const std::string& n : in_file) file_name[without_optimizer_name(n)] = n;
      std::vector<std::string> names;
      for (const std::string& n : optimizer_weight_names(opt)) {
        auto it = file_name.find(without_optimizer_name(n));
        if (it != file_name.end()) names.push_back(it->second);
      }
      if (names.size() == vars.size() && file_name.size() == in_file.size() &&
          in_file.size() == vars.size()) {
        TensorList values;
        for (size_t i = 0; i < vars.size(); ++i) {
          if (vars[i].dtype() == DType::Int64) {
            values.push_back(
                Tensor::scalar(static_cast<double>(og.read_int(names[i])), DType::Int64));
          } else {
            const Shape found = og.dataset_shape(names[i]);
            if (found != vars[i].shape())
              throw IOError("HDF5 file '" + path + "', path '" + og.child_path(names[i]) +
                            "': shape " + found.to_string() +
                            " does not match optimizer weight of shape " +
                            vars[i].shape().to_string());
            values.push_back(og.read(names[i]));
          }
        }
        for (size_t i = 0; i < vars.size(); ++i) {
          Variable v = vars[i];
          v.assign(values[i]);
        }
      } else if (!in_file.empty() && without_optimizer_name(in_file[0]) == "iteration") {
        // Keras 3 lists its optimizer's variables as it does in .keras archives, learning rate
        // included, and reads them back by position.
        auto assignment = optimizer_state_from_keras3(
            model, in_file.size(), [&](size_t i) { return og.dataset_shape(in_file[i]); },
            [&](size_t i, bool integer) {
              return integer ? Tensor::scalar(static_cast<double>(og.read_int(in_file[i])),
                                              DType::Int64)
                             : og.read(in_file[i]);
            },
            [&](size_t i) {
              return "HDF5 file '" + path + "', path '" + og.child_path(in_file[i]) + "'";
            });
        if (assignment) assignment->apply(opt);
      } else if (!in_file.empty()) {
        std::cerr << "load_model('" << path
                  << "'): the optimizer state in the file does not match this optimizer's "
                  << "variables; it starts fresh (as Keras does)\n";
      }
    }
  } else if (device != Device::CPU) {
    model.to(device);
  }
  return model;
}

}  // namespace nabla
