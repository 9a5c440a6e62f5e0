// Functional models: made from Keras tensors, and rebuilt from Keras's configs of either form
// (Keras 2's inbound_nodes lists, Keras 3's __keras_tensor__ objects).
#include <map>
#include <nlohmann/json.hpp>

#include "framework/core/errors.h"
#include "framework/keras/functional.h"
#include "framework/keras/model_layer.h"
#include "layers/input_layer.h"
#include "layers/keras_tensor.h"
#include "layers/layer_config.h"

namespace nabla {
namespace {

std::shared_ptr<detail::ModelState> functional_state(const TensorList& inputs,
                                                     const TensorList& outputs, std::string name) {
  auto state = std::make_shared<detail::ModelState>();
  state->arch = std::make_unique<detail::FunctionalArchitecture>(inputs, outputs);
  state->name = name.empty() ? default_layer_name("Functional") : std::move(name);
  return state;
}

using json = nlohmann::json;

// (layer name, node index, tensor index) of an inbound tensor in either config form.
struct TensorName {
  std::string layer;
  int node = 0, tensor = 0;
  bool keras2 = true;  // Keras 2's list form, which numbers a nested model's calls from 1
};

TensorName tensor_name(const json& j, const std::string& where) {
  if (j.is_array() && j.size() >= 3 && j[0].is_string() && j[1].is_number_integer() &&
      j[2].is_number_integer())
    return {j[0].get<std::string>(), j[1].get<int>(), j[2].get<int>()};
  if (j.is_object() && j.value("class_name", "") == "__keras_tensor__" && j.contains("config") &&
      j["config"].contains("keras_history")) {
    TensorName t = tensor_name(j["config"]["keras_history"], where);
    t.keras2 = false;
    return t;
  }
  throw ValueError(where +
                   ": expected a tensor reference ([layer, node, tensor] or a "
                   "__keras_tensor__), got " +
                   j.dump());
}

// The inbound tensors of one node of a layer entry: Keras 2's [[name, node, tensor, kwargs],
// ...] or Keras 3's {"args": [tensor or [tensors]], "kwargs": {}}.
std::vector<TensorName> node_inputs(const json& node, const std::string& where) {
  std::vector<TensorName> out;
  if (node.is_array()) {
    for (size_t i = 0; i < node.size(); ++i)
      out.push_back(tensor_name(node[i], where + "[" + std::to_string(i) + "]"));
    return out;
  }
  if (!node.is_object() || !node.contains("args") || !node["args"].is_array())
    throw ValueError(where + ": expected a list of inbound tensors or {\"args\": ...}");
  for (const json& arg : node["args"]) {
    if (arg.is_array()) {
      for (size_t i = 0; i < arg.size(); ++i)
        out.push_back(tensor_name(arg[i], where + ".args[" + std::to_string(i) + "]"));
    } else if (arg.is_object()) {
      out.push_back(tensor_name(arg, where + ".args"));
    }
  }
  return out;
}

// [[name, node, tensor], ...] or, from Keras 3 for a single tensor, [name, node, tensor]; or, for
// a model built on dicts of inputs or outputs, {key: [name, node, tensor], ...}, in the order of
// the sorted keys, which is the order Keras flattens a dict in (and nlohmann::json keeps).
std::vector<TensorName> endpoint_list(const json& j, const std::string& where) {
  if (j.is_object()) {
    std::vector<TensorName> out;
    for (const auto& [key, value] : j.items()) out.push_back(tensor_name(value, where + "." + key));
    return out;
  }
  if (!j.is_array()) throw ValueError(where + ": expected a list or a dict");
  if (j.size() == 3 && j[0].is_string()) return {tensor_name(j, where)};
  std::vector<TensorName> out;
  for (size_t i = 0; i < j.size(); ++i)
    out.push_back(tensor_name(j[i], where + "[" + std::to_string(i) + "]"));
  return out;
}

bool is_model_class(const std::string& cls) {
  return cls == "Sequential" || cls == "Functional" || cls == "Model";
}

}  // namespace

Model::Model(const TensorList& inputs, const TensorList& outputs, std::string name)
    : state_(functional_state(inputs, outputs, std::move(name))) {}

Model::Model(const Tensor& input, const Tensor& output, std::string name)
    : Model(TensorList{input}, TensorList{output}, std::move(name)) {}

Model functional_from_config(const json& config) {
  if (!config.is_object() || !config.contains("layers") || !config["layers"].is_array())
    throw ValueError("a functional model config needs a \"layers\" list");
  const json& entries = config["layers"];
  std::map<std::string, LayerPtr> layers;
  std::map<std::string, std::vector<TensorList>> outputs;  // by layer: each node's outputs
  struct Pending {
    LayerPtr layer;
    std::string name;
    const json* nodes;
    size_t done = 0;
    std::string where;
  };
  std::vector<Pending> pending;
  // Where each layer's calls start in the file's numbering: Keras 2's list form counts a nested
  // model's own call (see keras2_first_node); Keras 3's tensors do not, but its input_layers and
  // output_layers count one for a nested Functional model.
  std::map<std::string, int> keras2_first, keras3_endpoint_first;
  bool keras3_form = false;
  for (size_t i = 0; i < entries.size(); ++i) {
    const json& e = entries[i];
    const std::string where = "layers[" + std::to_string(i) + "]";
    if (!e.is_object() || !e.contains("class_name"))
      throw ValueError(where + ": a layer entry needs \"class_name\"");
    LayerPtr layer;
    try {
      const std::string cls = e["class_name"].get<std::string>();
      layer = is_model_class(cls) ? model_from_config(e).as_layer()
                                  : LayerRegistry::global().from_config(e);
    } catch (const Error&) {
      rethrow_with_context(where + " of the model config: ");
    }
    const std::string name =
        e.contains("name") && e["name"].is_string() ? e["name"].get<std::string>() : layer->name();
    if (layers.count(name)) throw ValueError(where + ": a second layer named '" + name + "'");
    layers[name] = layer;
    const std::string cls = e["class_name"].get<std::string>();
    keras2_first[name] =
        detail::keras2_first_node(cls, e.contains("config") ? e["config"] : json());
    keras3_endpoint_first[name] = cls == "Functional" || cls == "Model" ? 1 : 0;
    if (e.contains("inbound_nodes") && e["inbound_nodes"].is_array())
      for (const json& node : e["inbound_nodes"]) keras3_form = keras3_form || node.is_object();
    if (auto* input = dynamic_cast<InputLayer*>(layer.get())) {
      outputs[name].push_back({Tensor(*input)});
      continue;
    }
    if (!e.contains("inbound_nodes") || !e["inbound_nodes"].is_array())
      throw ValueError(where + " ('" + name + "'): needs \"inbound_nodes\"");
    pending.push_back({layer, name, &e["inbound_nodes"], 0, where + " ('" + name + "')"});
  }
  // File node indices to nabla's, which count a layer's calls in this model from 0.
  auto in_model = [&](TensorName t, bool endpoint) {
    if (!layers.count(t.layer)) return t;
    if (endpoint)
      t.node -= keras3_form ? keras3_endpoint_first[t.layer] : keras2_first[t.layer];
    else if (t.keras2)
      t.node -= keras2_first[t.layer];
    return t;
  };
  auto available = [&](const TensorName& t) {
    auto it = outputs.find(t.layer);
    return it != outputs.end() && t.node >= 0 && t.node < static_cast<int>(it->second.size()) &&
           t.tensor >= 0 && t.tensor < static_cast<int>(it->second[t.node].size());
  };
  // Call the layers in any order their inputs allow (Keras's configs list them in order, but
  // shared layers may need a later layer's output first).
  for (bool progress = true; progress;) {
    progress = false;
    for (Pending& p : pending) {
      while (p.done < p.nodes->size()) {
        const std::string where = p.where + ".inbound_nodes[" + std::to_string(p.done) + "]";
        std::vector<TensorName> in = node_inputs((*p.nodes)[p.done], where);
        for (TensorName& t : in) t = in_model(t, false);
        bool ready = true;
        for (const TensorName& t : in) {
          if (!layers.count(t.layer))
            throw ValueError(where + ": no layer named '" + t.layer + "' in the model config");
          ready = ready && available(t);
        }
        if (!ready) break;
        TensorList args;
        for (const TensorName& t : in) args.push_back(outputs[t.layer][t.node][t.tensor]);
        try {
          outputs[p.name].push_back((*p.layer)(args));
        } catch (const Error&) {
          rethrow_with_context(where + ": ");
        }
        ++p.done;
        progress = true;
      }
    }
  }
  for (const Pending& p : pending)
    if (p.done < p.nodes->size())
      throw ValueError(p.where +
                       ": its inputs are never computed (the layer graph has a cycle or "
                       "names a missing node)");
  auto endpoints = [&](const char* key) {
    if (!config.contains(key))
      throw ValueError(std::string("the model config has no \"") + key + "\"");
    TensorList out;
    for (TensorName t : endpoint_list(config[key], key)) {
      t = in_model(t, true);
      if (!available(t))
        throw ValueError(std::string(key) + ": no tensor " + t.layer + "[" +
                         std::to_string(t.node) + "][" + std::to_string(t.tensor) + "]");
      out.push_back(outputs[t.layer][t.node][t.tensor]);
    }
    return out;
  };
  const std::string name = config.contains("name") && config["name"].is_string()
                               ? config["name"].get<std::string>()
                               : "";
  return Model(endpoints("input_layers"), endpoints("output_layers"), name);
}

}  // namespace nabla
