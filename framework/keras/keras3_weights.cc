// The layers' part of Keras 3's native weights layout (keras3_weights.h); the optimizer's part is
// in keras3_optimizer.cc.
#include "framework/keras/keras3_weights.h"

#include <map>
#include <regex>
#include <set>

#include "framework/core/errors.h"
#include "framework/io/hdf5.h"
#include "framework/keras/model_layer.h"
#include "layers/input_layer.h"

namespace nabla {
namespace {

using Assignments = std::vector<std::pair<Variable, Tensor>>;

// The layers of `model` with their keys, in model.layers order.
std::vector<std::pair<std::string, LayerPtr>> keyed_layers(const Model& model) {
  std::map<std::string, int> used;
  std::vector<std::pair<std::string, LayerPtr>> out;
  for (const LayerPtr& l : keras3_layers(model)) {
    std::string key = keras3_snake_case(l->class_name());
    auto [it, fresh] = used.emplace(key, 0);
    if (!fresh) key.append("_").append(std::to_string(++it->second));
    out.emplace_back(key, l);
  }
  return out;
}

const Model* nested_model(const LayerPtr& l) {
  const auto* m = dynamic_cast<const ModelLayer*>(l.get());
  return m ? &m->model() : nullptr;
}

void write_variable(h5::Group& g, const std::string& key, const Variable& v) {
  if (v.dtype() == DType::Int64 && v.shape().rank() == 0) {
    g.write_int(key, v.value().item<int64_t>());
  } else {
    g.write(key, v.value());
  }
}

void write_model(const Model& model, h5::Group& g) {
  g.create_group("vars").set_string("name", model.name());
  for (const auto& [key, layer] : keyed_layers(model)) {
    h5::Group lg = g.create_group("layers/" + key);
    if (const Model* inner = nested_model(layer)) {
      write_model(*inner, lg);
      continue;
    }
    h5::Group vars = lg.create_group("vars");
    vars.set_string("name", layer->name());
    const VariableList weights = layer->weights();
    for (size_t i = 0; i < weights.size(); ++i) write_variable(vars, std::to_string(i), weights[i]);
  }
}

// Whether a layer group of the file holds any weight (in its vars or its nested layers).
bool holds_weights(const h5::Group& g) {
  if (g.has("vars") && !g.group("vars").children().empty()) return true;
  if (!g.has("layers")) return false;
  const h5::Group layers = g.group("layers");
  for (const std::string& key : layers.children())
    if (holds_weights(layers.group(key))) return true;
  return false;
}

std::string name_of(const h5::Group& layer_group) {
  if (!layer_group.has("vars")) return "";
  const h5::Group vars = layer_group.group("vars");
  return vars.has_attribute("name") ? vars.get_string("name") : "";
}

void read_layer(const LayerPtr& layer, const h5::Group& lg, Assignments& out) {
  const VariableList weights = layer->weights();
  const std::string what = "layer '" + layer->name() + "' (" + layer->class_name() + ")";
  if (!lg.has("vars")) {
    if (weights.empty()) return;
    throw IOError("HDF5 file '" + lg.file() + "': no group '" + lg.child_path("vars") + "' for " +
                  what);
  }
  const h5::Group vars = lg.group("vars");
  const size_t found = vars.children().size();
  if (found != weights.size())
    throw IOError("HDF5 file '" + lg.file() + "', path '" + vars.path() +
                  "': " + std::to_string(found) + " weights in the file, but " + what + " has " +
                  std::to_string(weights.size()));
  for (size_t i = 0; i < weights.size(); ++i) {
    const std::string key = std::to_string(i);
    if (!vars.has(key))
      throw IOError("HDF5 file '" + lg.file() + "': dataset '" + vars.child_path(key) +
                    "' is missing (" + what + ")");
    const Shape shape = vars.dataset_shape(key);
    if (shape != weights[i].shape())
      throw IOError("HDF5 file '" + lg.file() + "', path '" + vars.child_path(key) + "': shape " +
                    shape.to_string() + " does not match weight '" + weights[i].name() +
                    "' of shape " + weights[i].shape().to_string());
    const bool integer = weights[i].dtype() == DType::Int64 && shape.rank() == 0;
    out.emplace_back(weights[i],
                     integer ? Tensor::scalar(static_cast<double>(vars.read_int(key)), DType::Int64)
                             : vars.read(key));
  }
}

// Reads the weights of `model` from its group `g` (the root, or a nested model's group).
void read_model(const Model& model, const h5::Group& g, Assignments& out) {
  const auto keyed = keyed_layers(model);
  std::map<std::string, std::string> file_names;  // key in the file -> its @name
  if (g.has("layers")) {
    const h5::Group layers = g.group("layers");
    for (const std::string& key : layers.children()) file_names[key] = name_of(layers.group(key));
  }
  std::set<std::string> matched;
  for (const auto& [key, layer] : keyed) {
    const std::string path = "layers/" + key;
    if (!g.has(path)) {
      if (layer->weights().empty()) continue;
      throw IOError("HDF5 file '" + g.file() + "': no group '" + g.child_path(path) +
                    "' for layer '" + layer->name() + "' (" + layer->class_name() +
                    "); Keras 3 files key layers by class, in the order of model.layers");
    }
    matched.insert(key);
    // A name of another layer of this model: the file lists the layers in another order, and
    // matching by key would put weights into the wrong layers.
    const std::string saved = file_names[key];
    if (!saved.empty() && saved != layer->name())
      for (const auto& [other_key, other] : keyed)
        if (other->name() == saved)
          throw IOError("HDF5 file '" + g.file() + "', path '" + g.child_path(path) +
                        "': it holds the weights of layer '" + saved +
                        "', but in this model that key is layer '" + layer->name() +
                        "' (the model lists its layers in another order than the saved one)");
    const h5::Group lg = g.group(path);
    if (const Model* inner = nested_model(layer)) {
      read_model(*inner, lg, out);
    } else {
      read_layer(layer, lg, out);
    }
  }
  for (const auto& [key, name] : file_names)
    if (!matched.count(key) && holds_weights(g.group("layers/" + key)))
      throw IOError("HDF5 file '" + g.file() + "', path '" + g.child_path("layers/" + key) +
                    "': weights of a layer" + (name.empty() ? "" : " '" + name + "'") +
                    " this model does not have (model '" + model.name() + "' has " +
                    std::to_string(keyed.size()) + " layers)");
}

}  // namespace

std::string keras3_snake_case(const std::string& class_name) {
  static const std::regex non_word(R"(\W+)"), word("(.)([A-Z][a-z]+)"), hump("([a-z])([A-Z])");
  std::string s = std::regex_replace(class_name, non_word, "");
  s = std::regex_replace(s, word, "$1_$2");
  s = std::regex_replace(s, hump, "$1_$2");
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::vector<LayerPtr> keras3_layers(const Model& model) {
  std::vector<LayerPtr> out = model.layers();
  if (model.class_name() == "Sequential" && !out.empty() &&
      dynamic_cast<const InputLayer*>(out[0].get()))
    out.erase(out.begin());
  return out;
}

void write_keras3_weights(const Model& model, h5::Group& root, bool with_optimizer) {
  if (!model.built())
    throw StateError("model '" + model.name() + "' has no weights yet (build it or fit it first)");
  write_model(model, root);
  if (with_optimizer && model.compiled()) write_keras3_optimizer(model, root);
}

void load_keras3_weights(Model& model, const h5::Group& root, bool with_optimizer) {
  if (!model.built())
    throw StateError("model '" + model.name() +
                     "' must be built before load_weights (give it an input shape)");
  Assignments values;
  read_model(model, root, values);
  std::optional<OptimizerAssignment> optimizer;
  if (with_optimizer && model.compiled() && root.has("optimizer/vars"))
    optimizer = read_keras3_optimizer(model, root.group("optimizer/vars"));
  // Everything was read and checked: nothing is ever half-loaded.
  for (auto& [variable, value] : values) variable.assign(value);
  if (optimizer) optimizer->apply(model.optimizer());
}

}  // namespace nabla
