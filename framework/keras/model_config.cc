// Models as Keras model JSON, and back.
#include <nlohmann/json.hpp>

#include "framework/core/errors.h"
#include "framework/keras/checkpoint.h"
#include "framework/keras/functional.h"
#include "framework/keras/model_state.h"
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

}  // namespace

nlohmann::json Model::get_config() const {
  // Keras 3's model_from_json finds a class through "module": a Sequential is keras.Sequential,
  // but Functional is no name in module keras, only in keras.src.models.functional (under the
  // registered name "Functional"), which is what Keras 3 writes; tf-keras ignores both keys.
  if (class_name() == "Functional") {
    nlohmann::json j =
        keras_object("keras.src.models.functional", class_name(), state().arch->get_config(name()));
    j["registered_name"] = "Functional";
    return j;
  }
  return keras_object("keras", class_name(), state().arch->get_config(name()));
}

std::string keras_version_for(const Model& model) {
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

std::string Model::to_json() const {
  nlohmann::json j = get_config();
  j["keras_version"] = keras_version_for(*this);
  j["backend"] = "tensorflow";
  return j.dump();
}

nlohmann::json Model::training_config() const {
  const detail::ModelState& s = state();
  const std::vector<std::string> outputs = output_names();
  auto loss_json = [](const Loss& l) -> nlohmann::json {
    return {{"class_name", l.class_name()}, {"config", l.get_config()}};
  };
  // One output: a loss and a list of metrics; several: both by output name, as tf-keras writes.
  nlohmann::json loss_config, metric_configs, weights = nullptr;
  if (s.loss && s.output_losses.empty() && outputs.size() == 1) {
    loss_config = loss_json(*s.loss);
    metric_configs = nlohmann::json::array();
    for (const MetricPtr& m : metrics()) metric_configs.push_back(m->get_config());
  } else {
    loss_config = nlohmann::json::object();
    metric_configs = nlohmann::json::object();
    for (size_t o = 0; o < outputs.size(); ++o) {
      auto it = s.output_losses.find(outputs[o]);
      const LossPtr& l = it != s.output_losses.end() ? it->second : s.loss;
      if (l) loss_config[outputs[o]] = loss_json(*l);
      metric_configs[outputs[o]] = nlohmann::json::array();
    }
    for (size_t k = 0; k < s.metrics.size(); ++k)
      metric_configs[outputs[s.metric_outputs[k]]].push_back(s.metrics[k]->get_config());
    if (!s.loss_weights.empty()) weights = s.loss_weights;
  }
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
  return {{"loss", loss_config},
          {"metrics", metric_configs},
          {"weighted_metrics", nullptr},
          {"loss_weights", weights},
          {"optimizer_config",
           {{"class_name", "Custom>" + optimizer().class_name()}, {"config", optimizer_config}}}};
}

namespace {
Model model_from_checked_config(const nlohmann::json& j);
}  // namespace

Model model_from_config(const nlohmann::json& j) {
  // A value of the wrong JSON type anywhere in the config is a ValueError like any other.
  try {
    return model_from_checked_config(j);
  } catch (const nlohmann::json::exception& e) {
    throw ValueError(std::string("model config: ") + e.what());
  }
}

namespace {
Model model_from_checked_config(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("class_name"))
    throw ValueError("a model config needs \"class_name\" and \"config\"");
  const std::string cls = j["class_name"].is_string() ? j["class_name"].get<std::string>() : "";
  if (cls != "Sequential" && cls != "Functional" && cls != "Model")
    throw UnimplementedError("model class '" + cls +
                             "' is not supported: nabla loads Sequential and functional models "
                             "(\"Functional\", or \"Model\" in Keras 2)");
  // A model nested in another's config has no keras_version: it is read as the outer one.
  KerasVersionScope version(j.contains("keras_version") ? keras_major(j)
                                                        : KerasVersionScope::current());
  const nlohmann::json& config = j.contains("config") ? j["config"] : nlohmann::json::object();
  if (cls != "Sequential") return functional_from_config(config);
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
      model.add(LayerRegistry::global().from_config(entry));
    } catch (const Error&) {
      rethrow_with_context("layer " + std::to_string(index) + " of the model config: ");
    }
    ++index;
  }
  return model;
}
}  // namespace

Model model_from_json(const std::string& text) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {  // parse_error, or out_of_range for 1e400
    throw ValueError(std::string("model JSON does not parse: ") + e.what());
  }
  return model_from_config(j);
}

}  // namespace nabla
