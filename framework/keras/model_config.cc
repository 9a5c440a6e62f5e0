// Sequential models as Keras model JSON, and back.
#include <nlohmann/json.hpp>

#include "framework/core/errors.h"
#include "framework/keras/checkpoint.h"
#include "framework/keras/sequential.h"
#include "layers/activations.h"
#include "layers/input_layer.h"
#include "layers/layer_config.h"

namespace nabla {
namespace {

int keras_major(const nlohmann::json& j) {
  if (j.is_object() && j.contains("keras_version") && j["keras_version"].is_string()) {
    const std::string v = j["keras_version"].get<std::string>();
    if (!v.empty() && v[0] >= '0' && v[0] <= '9') return v[0] - '0';
  }
  return 3;
}

nlohmann::json layer_entry(const Layer& layer) {
  return keras_object("keras.layers", layer.class_name(), layer.get_config());
}

}  // namespace

nlohmann::json Sequential::get_config() const {
  nlohmann::json layers = nlohmann::json::array();
  size_t first = 0;
  if (!layers_.empty() && dynamic_cast<const InputLayer*>(layers_[0].get())) {
    layers.push_back(layer_entry(*layers_[0]));
    first = 1;
  } else if (built_) {
    // Keras's dict form starts with an InputLayer; make one from the input shape.
    layers.push_back(keras_object("keras.layers", "InputLayer",
                                  {{"batch_input_shape", shape_to_json(input_shape_)},
                                   {"dtype", "float32"},
                                   {"sparse", false},
                                   {"ragged", false},
                                   {"name", name_ + "_input"}}));
  }
  for (size_t i = first; i < layers_.size(); ++i) {
    nlohmann::json entry = layer_entry(*layers_[i]);
    entry["config"].erase("batch_input_shape");  // the InputLayer carries the shape
    layers.push_back(entry);
  }
  return keras_object("keras", "Sequential", {{"name", name_}, {"layers", layers}});
}

std::string keras_version_for(const Sequential& model) {
  const Layer* needs[4] = {};
  for (const LayerPtr& l : model.layers()) {
    const int major = l->keras_major();
    if (major > 0 && major < 4 && !needs[major]) needs[major] = l.get();
  }
  if (needs[2] && needs[3])
    throw ValueError("model '" + model.name() + "' cannot be saved: layer '" + needs[2]->name() +
                     "' has Keras 2's hard_sigmoid and layer '" + needs[3]->name() +
                     "' Keras 3's, and a file is read as one Keras version or the other");
  return needs[3] ? kKeras3Version : kKerasVersion;
}

std::string Sequential::to_json() const {
  nlohmann::json j = get_config();
  j["keras_version"] = keras_version_for(*this);
  j["backend"] = "tensorflow";
  return j.dump();
}

nlohmann::json Sequential::training_config() const {
  nlohmann::json metrics = nlohmann::json::array();
  for (const MetricPtr& m : metrics_) metrics.push_back(m->get_config());
  // The optimizer as tf-keras 2 writes it: "Custom>Adam" with "is_legacy_optimizer": false is
  // what selects tf-keras's current optimizer classes (a plain "Adam" selects its legacy Adam,
  // which rejects the newer keys and has no AdamW), and tf-keras rejects Keras 3's
  // loss_scale_factor and gradient_accumulation_steps (nabla only has them null). No config
  // serves Keras 3 as well: it refuses is_legacy_optimizer, and for a "Custom>" class it makes
  // the optimizer named by "name" with Keras's default arguments.
  nlohmann::json optimizer_config = optimizer().get_config();
  optimizer_config.erase("loss_scale_factor");
  optimizer_config.erase("gradient_accumulation_steps");
  optimizer_config["jit_compile"] = false;
  optimizer_config["is_legacy_optimizer"] = false;
  // Keras 3 reads a "Custom>" optimizer as keras.optimizers.get(name), which knows tf-keras's
  // default names ("AdamW", the class name) but not Keras 3's own ("adam_w", nabla's too), so a
  // default name is written as tf-keras writes it.
  if (optimizer().name() == get_optimizer(optimizer().class_name())->name())
    optimizer_config["name"] = optimizer().class_name();
  return {{"loss", {{"class_name", loss().class_name()}, {"config", loss().get_config()}}},
          {"metrics", metrics},
          {"weighted_metrics", nullptr},
          {"loss_weights", nullptr},
          {"optimizer_config",
           {{"class_name", "Custom>" + optimizer().class_name()}, {"config", optimizer_config}}}};
}

namespace {
Sequential model_from_checked_config(const nlohmann::json& j);
}  // namespace

Sequential model_from_config(const nlohmann::json& j) {
  // A value of the wrong JSON type anywhere in the config is a ValueError like any other.
  try {
    return model_from_checked_config(j);
  } catch (const nlohmann::json::exception& e) {
    throw ValueError(std::string("model config: ") + e.what());
  }
}

namespace {
Sequential model_from_checked_config(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("class_name"))
    throw ValueError("a model config needs \"class_name\" and \"config\"");
  const std::string cls = j["class_name"].get<std::string>();
  if (cls != "Sequential")
    throw UnimplementedError("model class '" + cls +
                             "' is not supported: nabla loads Sequential models");
  KerasVersionScope version(keras_major(j));
  const nlohmann::json& config = j.contains("config") ? j["config"] : nlohmann::json::object();
  // Keras <= 2.2.2 wrote the layer list itself as the config.
  const nlohmann::json& list =
      config.is_array() ? config : config.value("layers", nlohmann::json());
  if (!list.is_array()) throw ValueError("a Sequential config needs a \"layers\" list");
  std::string name = config.is_object() && config.contains("name") && config["name"].is_string()
                         ? config["name"].get<std::string>()
                         : std::string();
  Sequential model({}, name);
  int index = 0;
  for (const nlohmann::json& entry : list) {
    try {
      model.add(LayerRegistry::global().create(entry));
    } catch (const Error&) {
      rethrow_with_context("layer " + std::to_string(index) + " of the model config: ");
    }
    ++index;
  }
  return model;
}
}  // namespace

Sequential model_from_json(const std::string& text) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {  // parse_error, or out_of_range for 1e400
    throw ValueError(std::string("model JSON does not parse: ") + e.what());
  }
  return model_from_config(j);
}

}  // namespace nabla
