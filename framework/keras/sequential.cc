// Sequential: a model whose structure is a list of layers.
#include "framework/keras/sequential.h"

#include <nlohmann/json.hpp>
#include <ostream>

#include "framework/core/errors.h"
#include "framework/graph/graph.h"
#include "framework/keras/model_state.h"
#include "framework/keras/summary_table.h"
#include "layers/input_layer.h"
#include "layers/layer_config.h"

namespace nabla {
namespace {

class SequentialArchitecture : public detail::Architecture {
 public:
  std::vector<LayerPtr> list;
  bool is_built = false;
  Shape input;  // with batch -1

  std::string class_name() const override { return "Sequential"; }
  std::vector<LayerPtr> layers() const override { return list; }
  bool built() const override { return is_built; }

  void build(const std::vector<Shape>& input_shapes) override {
    if (list.empty()) throw StateError("a Sequential model with no layers cannot be built");
    if (input_shapes.size() != 1)
      throw ValueError("a Sequential model has one input, got " +
                       std::to_string(input_shapes.size()));
    Shape shape = input_shapes[0];
    for (const LayerPtr& l : list) {
      l->ensure_built(shape);
      shape = l->compute_output_shape(shape);
    }
    input = input_shapes[0];
    is_built = true;
  }

  std::vector<Shape> input_shapes() const override { return {input}; }
  std::vector<std::string> input_names() const override {
    return {!list.empty() && dynamic_cast<const InputLayer*>(list[0].get()) ? list[0]->name()
                                                                            : "input"};
  }
  std::vector<std::string> output_names() const override {
    return {list.empty() ? "output" : list.back()->name()};
  }

  std::vector<Shape> output_shapes() const override {
    Shape shape = input;
    for (const LayerPtr& l : list) shape = l->compute_output_shape(shape);
    return {shape};
  }

  TensorList call(const TensorList& inputs, CallContext& ctx) override {
    if (inputs.size() != 1)
      throw ValueError("a Sequential model takes one input, got " + std::to_string(inputs.size()));
    Tensor h = inputs[0];
    for (const LayerPtr& l : list) {
      if (h.is_symbolic()) {
        auto scope = h.graph()->name_scope(l->name());
        h = (*l)(h, ctx);
      } else {
        h = (*l)(h, ctx);
      }
    }
    return {h};
  }

  nlohmann::json get_config(const std::string& name) const override;

  void summary_rows(std::ostream& os) const override {
    SummaryTable table(os, {{"Layer (type)", 28}, {"Output Shape", 26}, {"Param #", 10}});
    Shape shape = is_built ? input : Shape();
    std::vector<LayerPtr> shown;  // Keras leaves the InputLayer out of the table
    for (const LayerPtr& l : list)
      if (!dynamic_cast<const InputLayer*>(l.get())) shown.push_back(l);
    for (size_t i = 0; i < shown.size(); ++i) {
      std::string out = "?";
      if (is_built) {
        shape = shown[i]->compute_output_shape(shape);
        out = shape.to_string();
      }
      table.row({shown[i]->name() + " (" + shown[i]->class_name() + ")", out,
                 SummaryTable::thousands(shown[i]->count_params())},
                i + 1 == shown.size());
    }
  }
};

nlohmann::json layer_entry(const Layer& layer) {
  return keras_object("keras.layers", layer.class_name(), layer.get_config());
}

nlohmann::json SequentialArchitecture::get_config(const std::string& name) const {
  nlohmann::json layers = nlohmann::json::array();
  size_t first = 0;
  if (!list.empty() && dynamic_cast<const InputLayer*>(list[0].get())) {
    layers.push_back(layer_entry(*list[0]));
    first = 1;
  } else if (is_built) {
    // Keras's dict form starts with an InputLayer; make one from the input shape.
    layers.push_back(keras_object("keras.layers", "InputLayer",
                                  {{"batch_input_shape", shape_to_json(input)},
                                   {"dtype", "float32"},
                                   {"sparse", false},
                                   {"ragged", false},
                                   {"name", name + "_input"}}));
  }
  for (size_t i = first; i < list.size(); ++i) {
    nlohmann::json entry = layer_entry(*list[i]);
    entry["config"].erase("batch_input_shape");  // the InputLayer carries the shape
    layers.push_back(entry);
  }
  return {{"name", name}, {"layers", layers}};
}

SequentialArchitecture& list_of(const Model& model) {
  auto* arch = dynamic_cast<SequentialArchitecture*>(model.state().arch.get());
  if (!arch)
    throw TypeError("model '" + model.name() + "' is a " + model.class_name() +
                    " model, not a Sequential one");
  return *arch;
}

std::shared_ptr<detail::ModelState> new_state(std::string name) {
  auto state = std::make_shared<detail::ModelState>();
  state->name = name.empty() ? default_layer_name("Sequential") : std::move(name);
  state->arch = std::make_unique<SequentialArchitecture>();
  return state;
}

}  // namespace

Sequential::Sequential(std::vector<LayerRef> layers, std::string name)
    : Model(new_state(std::move(name))) {
  for (auto& l : layers) add(std::move(l));
}

Sequential::Sequential(std::initializer_list<LayerRef> layers, std::string name)
    : Sequential(std::vector<LayerRef>(layers), std::move(name)) {}

Sequential::Sequential(const Model& model) : Model(model) {
  list_of(model);  // a TypeError unless it is one
}

void Sequential::add(LayerRef layer) {
  detail::ChangeGuard change(state(), "Sequential::add");
  const LayerPtr& l = layer.get();
  if (!l) throw ValueError("Sequential::add: a null layer");
  detail::ModelState& s = state();
  SequentialArchitecture& arch = list_of(*this);
  if (s.step) throw StateError("cannot add layers to model '" + s.name + "' after it has run");
  if (dynamic_cast<InputLayer*>(l.get()) && !arch.list.empty())
    throw ValueError("an Input can only be the first layer of a Sequential model");
  for (const LayerPtr& other : arch.list)
    if (other->name() == l->name())
      throw ValueError("model '" + s.name + "' already has a layer named '" + l->name() +
                       "': layer names must be unique");
  arch.list.push_back(l);
  arch.is_built = false;
  // A first layer that knows the input shape (an Input, or input_shape) builds the model as it
  // grows, as in Keras.
  if (arch.list[0]->has_build_input_shape())
    arch.build({arch.list[0]->build_input_shape()->erased(0).inserted(0, -1)});
}

void Sequential::pop() {
  detail::ChangeGuard change(state(), "pop");
  SequentialArchitecture& arch = list_of(*this);
  if (arch.list.empty()) throw StateError("pop(): model '" + name() + "' has no layers");
  arch.list.pop_back();
  state().invalidate_step();
}

}  // namespace nabla
