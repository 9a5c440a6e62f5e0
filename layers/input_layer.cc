#include "layers/input_layer.h"

#include "framework/core/errors.h"
#include "layers/layer_config.h"

namespace nabla {

InputLayer::InputLayer(const Shape& shape, std::string name) : LayerOf(std::move(name)) {
  for (int64_t d : shape)
    if (d <= 0 && d != -1)
      throw ShapeError("Input shape " + shape.to_string() + " has a non-positive dimension");
  set_build_input_shape(shape.inserted(0, -1));
}

InputLayer::operator Tensor() const {
  // Making the tensor records this input's one node; the layer itself does not change.
  return const_cast<InputLayer*>(this)->keras_input_tensor(*build_input_shape());
}

nlohmann::json InputLayer::get_config() const {
  nlohmann::json c{{"batch_input_shape", shape_to_json(*build_input_shape())},
                   {"dtype", "float32"},
                   {"sparse", false},
                   {"ragged", false},
                   {"name", name()}};
  return c;
}

LayerPtr InputLayer::from_config(const nlohmann::json& c) {
  LayerConfigReader r(c, "InputLayer", {"optional"});
  Shape batch_shape;
  if (c.contains("batch_input_shape") && !c["batch_input_shape"].is_null()) {
    batch_shape = shape_from_json(c["batch_input_shape"], "InputLayer config 'batch_input_shape'");
  } else if (c.contains("batch_shape") && !c["batch_shape"].is_null()) {
    batch_shape = shape_from_json(c["batch_shape"], "InputLayer config 'batch_shape'");
  } else {
    throw ValueError("InputLayer config needs 'batch_input_shape' or 'batch_shape'");
  }
  if (batch_shape.rank() < 1)
    throw ValueError("InputLayer config: the input shape needs a batch axis");
  return std::make_shared<InputLayer>(batch_shape.erased(0), r.name());
}

}  // namespace nabla
