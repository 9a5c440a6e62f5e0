// The functional model: a graph of layer calls, as keras.Model(inputs, outputs). Internal to
// framework/keras; users make one with Model(inputs, outputs) (model.h).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "framework/keras/model_state.h"

namespace nabla::detail {

/// A model's structure as the layer calls that lead from its inputs to its outputs.
class FunctionalArchitecture : public Architecture {
 public:
  /// Where a tensor of the model comes from: model input `input`, or output `output` of call
  /// `call`.
  struct Ref {
    int input = -1;
    int call = -1;
    int output = 0;
  };
  /// One call of a layer, its inputs, and where it sits among that layer's calls in this model.
  struct Call {
    LayerPtr layer;
    std::vector<Ref> inputs;
    int outputs = 1;
    std::vector<Shape> output_shapes;  // batch -1
    int node_index = 0;                // among this layer's calls in this model
  };

  /// From Keras tensors: `inputs` made by Input(), `outputs` by layers called on them. The
  /// graph between them is walked and ordered as Keras orders it; every problem (a tensor that
  /// is no Keras tensor, a disconnected graph, two layers of one name) is a ValueError.
  FunctionalArchitecture(const TensorList& inputs, const TensorList& outputs);

  std::string class_name() const override { return "Functional"; }
  std::vector<LayerPtr> layers() const override { return layers_; }
  bool built() const override { return true; }
  void build(const std::vector<Shape>& input_shapes) override;
  std::vector<Shape> input_shapes() const override { return input_shapes_; }
  std::vector<Shape> output_shapes() const override { return output_shapes_; }
  TensorList call(const TensorList& inputs, CallContext& ctx) override;
  nlohmann::json get_config(const std::string& name) const override;
  void summary_rows(std::ostream& os) const override;
  size_t summary_width() const override { return 98; }

  /// The model's inputs' and outputs' names (their layers' names).
  std::vector<std::string> input_names() const override { return input_names_; }
  std::vector<std::string> output_names() const override { return output_names_; }
  const std::vector<Call>& calls() const { return calls_; }
  const std::vector<LayerPtr>& input_layers() const { return input_layers_; }
  const std::vector<Ref>& outputs() const { return outputs_; }

 private:
  std::vector<LayerPtr> layers_;        // Keras's order: by depth from the outputs, inputs first
  std::vector<LayerPtr> input_layers_;  // one InputLayer per input
  std::vector<Shape> input_shapes_, output_shapes_;
  std::vector<std::string> input_names_, output_names_;
  std::vector<Call> calls_;  // in an order where every call's inputs come first
  std::vector<Ref> outputs_;
};

/// Where Keras 2's list-form configs start numbering the calls of a nested model of Keras class
/// `class_name` and config `config`: tf-keras gives a Functional model, and a Sequential one that
/// starts with an InputLayer, a call of its own when it is made (node 0), so the first call in an
/// enclosing model is node 1 there; other layers start at 0.
int keras2_first_node(const std::string& class_name, const nlohmann::json& config);

}  // namespace nabla::detail

namespace nabla {
/// A functional model from the "config" of Keras's model JSON (either Keras version's form).
Model functional_from_config(const nlohmann::json& config);
}  // namespace nabla
