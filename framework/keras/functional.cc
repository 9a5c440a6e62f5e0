// The functional model's structure: from Keras tensors to an ordered list of layer calls, and
// back to Keras's config.
#include "framework/keras/functional.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "framework/core/errors.h"
#include "framework/graph/graph.h"
#include "framework/keras/model_layer.h"
#include "framework/keras/summary_table.h"
#include "layers/input_layer.h"
#include "layers/keras_tensor.h"
#include "layers/layer_config.h"

namespace nabla::detail {
namespace {

// A Keras node: call `index` of `layer`.
using NodeKey = std::pair<const Layer*, int>;

bool is_input_layer(const Layer* layer) {
  return dynamic_cast<const InputLayer*>(layer) != nullptr;
}

// The nodes between the outputs and the inputs, found by a depth-first walk from the outputs as
// Keras's map_graph does: `order` lists them inputs first, `first_seen` numbers each layer by
// when the walk first met it (Keras's tie-break among layers of one depth).
struct GraphWalk {
  std::vector<NodeKey> order;
  std::map<NodeKey, KerasHistory> owner;  // a history naming each node's layer (keeps it alive)
  std::map<const Layer*, int> first_seen;
  std::set<NodeKey> finished, in_progress;

  void visit(const Tensor& t, const std::string& what) {
    const KerasHistory h = keras_history(t, what);
    const NodeKey key{h.layer.get(), h.node_index};
    if (finished.count(key)) return;
    if (in_progress.count(key))
      throw ValueError("the layer graph has a cycle through layer '" + h.layer->name() + "'");
    first_seen.emplace(key.first, static_cast<int>(first_seen.size()));
    owner.emplace(key, h);
    in_progress.insert(key);
    if (!is_input_layer(key.first)) {
      const Layer::Node& node = h.layer->inbound_nodes().at(h.node_index);
      for (size_t i = 0; i < node.inputs.size(); ++i)
        visit(node.inputs[i], "input " + std::to_string(i) + " of layer '" + h.layer->name() + "'");
    }
    in_progress.erase(key);
    finished.insert(key);
    order.push_back(key);
  }
};

// "Connected to" cells of the summary: "dense[0][0]".
std::string connection(const std::string& layer, int node, int tensor) {
  return layer + "[" + std::to_string(node) + "][" + std::to_string(tensor) + "]";
}

}  // namespace

FunctionalArchitecture::FunctionalArchitecture(const TensorList& inputs,
                                               const TensorList& outputs) {
  if (inputs.empty()) throw ValueError("a functional Model needs at least one input");
  if (outputs.empty()) throw ValueError("a functional Model needs at least one output");
  for (size_t i = 0; i < inputs.size(); ++i) {
    const KerasHistory h = keras_history(inputs[i], "model input " + std::to_string(i));
    if (!is_input_layer(h.layer.get()))
      throw ValueError("model input " + std::to_string(i) + " ('" + inputs[i].name() +
                       "') is the output of layer '" + h.layer->name() +
                       "': a model's inputs come from Input()");
    for (const LayerPtr& l : input_layers_)
      if (l == h.layer) throw ValueError("Input '" + l->name() + "' is given twice as an input");
    input_layers_.push_back(h.layer);
    input_names_.push_back(h.layer->name());
    input_shapes_.push_back(inputs[i].shape());
  }

  GraphWalk walk;
  for (size_t i = 0; i < outputs.size(); ++i)
    walk.visit(outputs[i], "model output " + std::to_string(i));

  // Depths as Keras computes them: an output's node is 0, each node's parents one deeper, and a
  // shared layer as deep as its deepest node.
  std::map<NodeKey, int> node_depth;
  std::map<const Layer*, int> layer_depth;
  for (auto it = walk.order.rbegin(); it != walk.order.rend(); ++it) {
    int depth = node_depth[*it];
    depth = std::max(depth, layer_depth[it->first]);
    layer_depth[it->first] = depth;
    node_depth[*it] = depth;
    if (is_input_layer(it->first)) continue;
    const KerasHistory& h = walk.owner.at(*it);
    for (const Tensor& in : h.layer->inbound_nodes().at(h.node_index).inputs) {
      const KerasHistory p = keras_history(in, "an input");
      const NodeKey parent{p.layer.get(), p.node_index};
      if (walk.finished.count(parent)) node_depth[parent] = std::max(node_depth[parent], depth + 1);
    }
  }
  // Inputs no output depends on are still the model's (as in Keras), at depth 0.
  for (const LayerPtr& l : input_layers_)
    if (!layer_depth.count(l.get())) {
      layer_depth[l.get()] = 0;
      walk.first_seen.emplace(l.get(), -1);
      walk.owner.emplace(NodeKey{l.get(), 0}, KerasHistory{l, 0, 0});
    }

  // Layers by decreasing depth, then by when the walk first met them.
  std::map<const Layer*, LayerPtr> by_ptr;
  for (const auto& [key, h] : walk.owner) by_ptr[key.first] = h.layer;
  for (const auto& [layer, depth] : layer_depth) layers_.push_back(by_ptr.at(layer));
  std::sort(layers_.begin(), layers_.end(), [&](const LayerPtr& a, const LayerPtr& b) {
    const int da = layer_depth.at(a.get()), db = layer_depth.at(b.get());
    return da != db ? da > db : walk.first_seen.at(a.get()) < walk.first_seen.at(b.get());
  });
  std::map<std::string, int> names;
  for (const LayerPtr& l : layers_)
    if (++names[l->name()] == 2)
      throw ValueError("the name '" + l->name() +
                       "' is used by two layers of the model; layer names must be unique");

  // The calls, inputs first; a layer's calls numbered in the order they were made.
  std::map<NodeKey, int> call_of;
  std::map<const Layer*, std::vector<int>> node_indices;
  for (const NodeKey& key : walk.order)
    if (!is_input_layer(key.first)) node_indices[key.first].push_back(key.second);
  for (auto& [layer, indices] : node_indices) std::sort(indices.begin(), indices.end());
  auto ref_of = [&](const Tensor& t, const std::string& what) -> Ref {
    const KerasHistory h = keras_history(t, what);
    if (is_input_layer(h.layer.get())) {
      for (size_t i = 0; i < input_layers_.size(); ++i)
        if (input_layers_[i] == h.layer) return Ref{static_cast<int>(i), -1, 0};
      throw ValueError("the graph is disconnected: " + what + " comes from Input '" +
                       h.layer->name() + "', which is not among the model's inputs");
    }
    return Ref{-1, call_of.at({h.layer.get(), h.node_index}), h.tensor_index};
  };
  for (const NodeKey& key : walk.order) {
    if (is_input_layer(key.first)) continue;
    const KerasHistory& h = walk.owner.at(key);
    const Layer::Node& node = h.layer->inbound_nodes().at(h.node_index);
    Call call;
    call.layer = h.layer;
    call.outputs = static_cast<int>(node.outputs.size());
    for (const Tensor& t : node.outputs) call.output_shapes.push_back(t.shape());
    const std::vector<int>& indices = node_indices.at(key.first);
    call.node_index =
        static_cast<int>(std::find(indices.begin(), indices.end(), key.second) - indices.begin());
    for (size_t i = 0; i < node.inputs.size(); ++i)
      call.inputs.push_back(ref_of(
          node.inputs[i], "input " + std::to_string(i) + " of layer '" + h.layer->name() + "'"));
    call_of[key] = static_cast<int>(calls_.size());
    calls_.push_back(std::move(call));
  }
  for (size_t i = 0; i < outputs.size(); ++i) {
    const std::string what = "model output " + std::to_string(i);
    outputs_.push_back(ref_of(outputs[i], what));
    output_names_.push_back(keras_history(outputs[i], what).layer->name());
    output_shapes_.push_back(outputs[i].shape());
  }
}

void FunctionalArchitecture::build(const std::vector<Shape>& input_shapes) {
  if (input_shapes.size() != input_shapes_.size())
    throw ValueError("the model has " + std::to_string(input_shapes_.size()) + " inputs, got " +
                     std::to_string(input_shapes.size()) + " shapes");
}

TensorList FunctionalArchitecture::call(const TensorList& inputs, CallContext& ctx) {
  if (inputs.size() != input_shapes_.size())
    throw ValueError("the model has " + std::to_string(input_shapes_.size()) + " inputs, got " +
                     std::to_string(inputs.size()));
  std::vector<TensorList> results(calls_.size());
  auto value = [&](const Ref& r) -> const Tensor& {
    return r.input >= 0 ? inputs[r.input] : results[r.call][r.output];
  };
  for (size_t i = 0; i < calls_.size(); ++i) {
    const Call& c = calls_[i];
    TensorList in;
    for (const Ref& r : c.inputs) in.push_back(value(r));
    if (in[0].is_symbolic()) {
      auto scope = in[0].graph()->name_scope(c.layer->name());
      results[i] = (*c.layer)(in, ctx);
    } else {
      results[i] = (*c.layer)(in, ctx);
    }
  }
  TensorList out;
  for (const Ref& r : outputs_) out.push_back(value(r));
  return out;
}

int keras2_first_node(const std::string& class_name, const nlohmann::json& config) {
  if (class_name == "Functional" || class_name == "Model") return 1;
  if (class_name != "Sequential") return 0;
  const nlohmann::json* layers = config.is_array() ? &config : nullptr;
  if (config.is_object() && config.contains("layers")) layers = &config["layers"];
  return layers && layers->is_array() && !layers->empty() && (*layers)[0].is_object() &&
                 (*layers)[0].value("class_name", "") == "InputLayer"
             ? 1
             : 0;
}

nlohmann::json FunctionalArchitecture::get_config(const std::string& name) const {
  // Node indices as tf-keras numbers them (see keras2_first_node).
  std::map<const Layer*, int> first_node;
  for (const Call& c : calls_)
    if (!first_node.count(c.layer.get()))
      first_node[c.layer.get()] =
          dynamic_cast<const ModelLayer*>(c.layer.get())
              ? keras2_first_node(c.layer->class_name(), c.layer->get_config())
              : 0;
  auto inbound = [&](const Ref& r) -> nlohmann::json {
    if (r.input >= 0) return {input_names_[r.input], 0, 0, nlohmann::json::object()};
    const Call& from = calls_[r.call];
    return {from.layer->name(), from.node_index + first_node.at(from.layer.get()), r.output,
            nlohmann::json::object()};
  };
  nlohmann::json layers = nlohmann::json::array();
  for (const LayerPtr& l : layers_) {
    nlohmann::json entry = keras_object("keras.layers", l->class_name(), l->get_config());
    // Nested models where Keras 3 looks for them, as it writes them: a Sequential in "keras", a
    // Functional model under its registered name (tf-keras reads either way).
    if (dynamic_cast<const ModelLayer*>(l.get())) {
      const bool functional = l->class_name() != "Sequential";
      entry["module"] = functional ? "keras.src.models.functional" : "keras";
      if (functional) entry["registered_name"] = "Functional";
    }
    entry["name"] = l->name();
    nlohmann::json nodes = nlohmann::json::array();
    std::vector<std::pair<int, nlohmann::json>> by_index;
    for (const Call& c : calls_) {
      if (c.layer != l) continue;
      nlohmann::json node = nlohmann::json::array();
      for (const Ref& r : c.inputs) node.push_back(inbound(r));
      by_index.emplace_back(c.node_index, node);
    }
    std::sort(by_index.begin(), by_index.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [index, node] : by_index) nodes.push_back(node);
    entry["inbound_nodes"] = nodes;
    layers.push_back(entry);
  }
  nlohmann::json inputs = nlohmann::json::array(), outputs = nlohmann::json::array();
  for (const std::string& n : input_names_) inputs.push_back({n, 0, 0});
  for (const Ref& r : outputs_) {
    const nlohmann::json in = inbound(r);
    outputs.push_back({in[0], in[1], in[2]});
  }
  return {{"name", name},
          {"trainable", true},
          {"layers", layers},
          {"input_layers", inputs},
          {"output_layers", outputs}};
}

void FunctionalArchitecture::summary_rows(std::ostream& os) const {
  SummaryTable table(
      os, {{"Layer (type)", 31}, {"Output Shape", 21}, {"Param #", 12}, {"Connected to", 33}}, 98);
  for (size_t i = 0; i < layers_.size(); ++i) {
    const LayerPtr& l = layers_[i];
    std::vector<std::string> connected;
    std::string shape = "?";
    for (size_t k = 0; k < input_layers_.size(); ++k)
      if (input_layers_[k] == l) shape = input_shapes_[k].to_string();
    for (const Call& c : calls_) {
      if (c.layer != l) continue;
      for (const Ref& r : c.inputs) {
        if (r.input >= 0) {
          connected.push_back(connection(input_names_[r.input], 0, 0));
        } else {
          const Call& from = calls_[r.call];
          connected.push_back(connection(from.layer->name(), from.node_index, r.output));
        }
      }
    }
    for (const Call& c : calls_)
      if (c.layer == l) {
        shape = c.output_shapes[0].to_string();  // its first call's, as Keras shows it
        break;
      }
    const std::string first = connected.empty() ? "" : connected[0];
    table.row({l->name() + " (" + l->class_name() + ")", shape,
               SummaryTable::thousands(l->count_params()), first},
              i + 1 == layers_.size() && connected.size() <= 1);
    for (size_t k = 1; k < connected.size(); ++k)
      table.row({"", "", "", connected[k]}, i + 1 == layers_.size() && k + 1 == connected.size());
  }
}

}  // namespace nabla::detail
