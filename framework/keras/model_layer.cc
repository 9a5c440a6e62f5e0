#include "framework/keras/model_layer.h"

#include <nlohmann/json.hpp>

#include "framework/keras/model_state.h"

namespace nabla {

ModelLayer::ModelLayer(Model model) : LayerOf(model.name()), model_(std::move(model)) {}

int ModelLayer::num_inputs() const {
  return model_.built() ? static_cast<int>(model_.input_shapes().size()) : 1;
}

void ModelLayer::build(const Shape& input_shape) {
  if (!model_.built()) model_.build(input_shape.erased(0));
}

void ModelLayer::build_inputs(const std::vector<Shape>& input_shapes) {
  if (!model_.built()) model_.state().arch->build(input_shapes);
}

Tensor ModelLayer::call(const Tensor& x, CallContext& ctx) {
  return model_.state().arch->call({x}, ctx).at(0);
}

TensorList ModelLayer::call_inputs(const TensorList& inputs, CallContext& ctx) {
  return model_.state().arch->call(inputs, ctx);
}

Shape ModelLayer::compute_output_shape(const Shape& input_shape) const {
  return compute_output_shapes({input_shape}).at(0);
}

std::vector<Shape> ModelLayer::compute_output_shapes(
    const std::vector<Shape>& input_shapes) const {
  std::vector<Shape> out = model_.output_shapes();
  const int64_t batch = input_shapes.empty() || input_shapes[0].rank() == 0 ? -1 : input_shapes[0][0];
  for (Shape& s : out)
    if (s.rank() > 0) s[0] = batch;
  return out;
}

TensorList ModelLayer::regularization_losses() const {
  TensorList out;
  for (const LayerPtr& l : model_.layers())
    for (const Tensor& t : l->regularization_losses()) out.push_back(t);
  return out;
}

nlohmann::json ModelLayer::get_config() const {
  return model_.get_config()["config"];
}

}  // namespace nabla
