// Keras 3's config form, made from nabla's Keras 2 form (Model::get_config) and the shapes the
// functional model recorded: Keras 3 names each inbound tensor with its shape and dtype.
#include "framework/keras/keras3_config.h"

#include <map>
#include <nlohmann/json.hpp>
#include <tuple>

#include "framework/core/errors.h"
#include "framework/keras/functional.h"
#include "framework/keras/model_layer.h"
#include "framework/keras/model_state.h"
#include "layers/layer_config.h"

namespace nabla {
namespace {

using json = nlohmann::json;
using TensorKey = std::tuple<std::string, int, int>;  // layer, node index, tensor index

// An InputLayer's shape under Keras 3's key; other layers lose Keras 2's batch_input_shape,
// which a Functional's InputLayers carry.
json keras3_layer_config(const std::string& class_name, json config) {
  if (config.contains("batch_input_shape")) {
    if (class_name == "InputLayer") config["batch_shape"] = config["batch_input_shape"];
    config.erase("batch_input_shape");
  }
  return config;
}

// A one-element list of [name, node, tensor] as the bare triple, as Keras 3 writes it.
json endpoints(const json& list) {
  json out = json::array();
  for (const json& t : list) out.push_back({t[0], t[1], t[2]});
  return out.size() == 1 ? out[0] : out;
}

json functional_config(const Model& model, const detail::FunctionalArchitecture& arch) {
  std::map<TensorKey, Shape> shapes;
  const std::vector<std::string> inputs = arch.input_names();
  for (size_t i = 0; i < inputs.size(); ++i) shapes[{inputs[i], 0, 0}] = arch.input_shapes()[i];
  for (const auto& call : arch.calls())
    for (int k = 0; k < call.outputs; ++k)
      shapes[{call.layer->name(), call.node_index, k}] = call.output_shapes[k];
  json config = model.get_config()["config"];
  // get_config numbers a nested model's calls as tf-keras does (after the model's own call, see
  // keras2_first_node); Keras 3's tensors count from 0, and its input_layers and output_layers
  // count one for a nested Functional model.
  std::map<std::string, int> keras2_first, endpoint_first;
  for (const json& entry : config["layers"]) {
    const std::string name = entry["name"].get<std::string>();
    if (!dynamic_cast<const ModelLayer*>(model.get_layer(name).get())) continue;
    const std::string cls = entry["class_name"].get<std::string>();
    keras2_first[name] = detail::keras2_first_node(cls, entry["config"]);
    endpoint_first[name] = cls == "Sequential" ? 0 : 1;
  }
  auto node_of = [&](const json& ref, const std::map<std::string, int>& first) {
    const std::string name = ref[0].get<std::string>();
    const auto k2 = keras2_first.find(name);
    const auto k3 = first.find(name);
    return ref[1].get<int>() - (k2 == keras2_first.end() ? 0 : k2->second) +
           (k3 == first.end() ? 0 : k3->second);
  };
  const std::map<std::string, int> none;
  auto keras_tensor = [&](const json& ref) -> json {
    const int node = node_of(ref, none);
    const TensorKey key{ref[0].get<std::string>(), node, ref[2].get<int>()};
    return {{"class_name", "__keras_tensor__"},
            {"config",
             {{"shape", shape_to_json(shapes.at(key))},
              {"dtype", "float32"},
              {"keras_history", {ref[0], node, ref[2]}}}}};
  };
  auto keras3_endpoints = [&](const json& list) {
    json out = json::array();
    for (const json& t : list) out.push_back({t[0], node_of(t, endpoint_first), t[2]});
    return endpoints(out);
  };

  for (json& entry : config["layers"]) {
    const std::string name = entry["name"].get<std::string>();
    const LayerPtr layer = model.get_layer(name);
    json nodes = json::array();
    for (const json& node : entry["inbound_nodes"]) {
      json args = json::array();
      for (const json& ref : node) args.push_back(keras_tensor(ref));
      nodes.push_back(
          {{"args", args.size() == 1 ? args : json::array({args})}, {"kwargs", json::object()}});
    }
    const json inbound = entry["inbound_nodes"];
    if (const auto* nested = dynamic_cast<const ModelLayer*>(layer.get())) {
      entry = keras3_model_config(nested->model());
    } else {
      entry["config"] = keras3_layer_config(entry["class_name"], entry["config"]);
    }
    if (!inbound.empty()) {  // built by its first call: the shapes it was called on
      json in = json::array();
      for (const json& ref : inbound[0])
        in.push_back(shape_to_json(
            shapes.at({ref[0].get<std::string>(), node_of(ref, none), ref[2].get<int>()})));
      entry["build_config"] = {{"input_shape", in.size() == 1 ? in[0] : in}};
    }
    entry["name"] = name;
    entry["inbound_nodes"] = nodes;
  }
  config["input_layers"] = keras3_endpoints(config["input_layers"]);
  config["output_layers"] = keras3_endpoints(config["output_layers"]);
  return config;
}

json sequential_config(const Model& model) {
  json config = model.get_config()["config"];
  config["trainable"] = true;
  for (json& entry : config["layers"])
    entry["config"] = keras3_layer_config(entry["class_name"], entry["config"]);
  return config;
}

// A loss by name when it has that name's default arguments (as compile("mse") leaves it in
// Keras), else as an object.
json loss_config(const Loss& loss) {
  try {
    const LossPtr plain = get_loss(loss.name());
    if (plain->class_name() == loss.class_name() && plain->get_config() == loss.get_config())
      return loss.name();
  } catch (const Error&) {
    // a name of the user's own: the object it is
  }
  return keras_object("keras.losses", loss.class_name(), loss.get_config());
}

}  // namespace

json keras3_compile_config(const Model& model) {
  const detail::ModelState& s = model.state();
  const Optimizer& optimizer = model.optimizer();
  json loss;
  if (s.loss && s.output_losses.empty()) {
    loss = loss_config(*s.loss);
  } else {
    loss = json::object();
    for (const std::string& output : model.output_names()) {
      auto it = s.output_losses.find(output);
      if (it != s.output_losses.end())
        loss[output] = loss_config(*it->second);
      else if (s.loss)
        loss[output] = loss_config(*s.loss);
    }
  }
  json loss_weights = nullptr;
  if (!s.loss_weights.empty()) loss_weights = s.loss_weights;
  const json training = model.training_config();  // metrics as Keras lists them
  return {{"optimizer",
           keras_object("keras.optimizers", optimizer.class_name(), optimizer.get_config())},
          {"loss", loss},
          {"loss_weights", loss_weights},
          {"metrics", training["metrics"]},
          {"weighted_metrics", nullptr},
          {"run_eagerly", false},
          {"steps_per_execution", 1},
          {"jit_compile", false}};
}

json keras3_model_config(const Model& model) {
  json out;
  if (const auto* arch =
          dynamic_cast<const detail::FunctionalArchitecture*>(model.state().arch.get())) {
    out =
        keras_object("keras.src.models.functional", "Functional", functional_config(model, *arch));
    out["registered_name"] = "Functional";
    out["build_config"] = {{"input_shape", nullptr}};
  } else {
    out = keras_object("keras", "Sequential", sequential_config(model));
    out["build_config"] = {{"input_shape", shape_to_json(model.input_shape())}};
  }
  out["compile_config"] = model.compiled() ? keras3_compile_config(model) : json::object();
  return out;
}

}  // namespace nabla
