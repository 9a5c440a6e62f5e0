// A model used as a layer of another model (a Sequential or functional Model inside a
// functional one), as every Keras model is a layer.
#pragma once

#include "framework/keras/model.h"

namespace nabla {

/// The layer a Model is when another model calls it: its weights are the model's, its call the
/// model's forward pass, its config the model's config. Model::as_layer() gives one per model.
class ModelLayer : public LayerOf<ModelLayer> {
 public:
  explicit ModelLayer(Model model);

  std::string class_name() const override { return model_.class_name(); }
  int num_inputs() const override;
  void build(const Shape& input_shape) override;
  void build_inputs(const std::vector<Shape>& input_shapes) override;
  Tensor call(const Tensor& x, CallContext& ctx) override;
  TensorList call_inputs(const TensorList& inputs, CallContext& ctx) override;
  Shape compute_output_shape(const Shape& input_shape) const override;
  std::vector<Shape> compute_output_shapes(const std::vector<Shape>& input_shapes) const override;
  VariableList weights() const override { return model_.weights(); }
  VariableList trainable_weights() const override { return model_.trainable_weights(); }
  VariableList non_trainable_weights() const override { return model_.non_trainable_weights(); }
  int64_t count_params() const override { return model_.count_params(); }
  TensorList regularization_losses() const override;
  /// The model's config ({"name", "layers", ...}), as Keras nests it.
  nlohmann::json get_config() const override;
  /// The model it stands for.
  const Model& model() const { return model_; }

 private:
  Model model_;
};

}  // namespace nabla
