// Merge layers: Add, Subtract, Multiply, Average, Maximum, Minimum and Concatenate, each called on
// a list of tensors in a functional model:
//
//     Tensor sum = Add()({Dense(3)(a), Dense(3)(b)});
//     Tensor both = Concatenate(-1, "both")({a, b});
#pragma once

#include "layers/layer.h"

namespace nabla {

/// The base of the element-wise merge layers, with Keras's shape rules: the inputs' batch sizes
/// agree; an input of lower rank gains axes of size 1 after the batch; then every other axis is
/// equal or 1 (broadcast), compared from the last. Inputs that do not fit are a ShapeError naming
/// the layer and every shape. No weights.
class Merge : public Layer {
 public:
  using Layer::Layer;
  using Layer::operator();
  /// The merge of `inputs` (symbolic, eager or Keras tensors): one tensor, as Keras returns.
  Tensor operator()(const TensorList& inputs, bool training = false);
  Tensor operator()(const TensorList& inputs, CallContext& ctx);
  int num_inputs() const override { return -1; }
  /// A merge of the one input.
  Tensor call(const Tensor& x, CallContext& ctx) override;
  TensorList call_inputs(const TensorList& inputs, CallContext& ctx) override;
  void build_inputs(const std::vector<Shape>& input_shapes) override;
  std::vector<Shape> compute_output_shapes(const std::vector<Shape>& input_shapes) const override;
  nlohmann::json get_config() const override;

 protected:
  /// The merge of inputs of one rank (broadcasting where an axis is 1).
  virtual Tensor merge(const TensorList& inputs) const = 0;
  /// ValueError unless `count` inputs suit the layer (at least one; Subtract: two).
  virtual void check_count(size_t count) const;
  /// "Add 'merge'", for messages.
  std::string what() const { return class_name() + " '" + name() + "'"; }
  /// ShapeError naming the layer and every shape.
  [[noreturn]] void mismatch(const std::vector<Shape>& shapes, const std::string& why) const;
};

/// Keras's Add: the element-wise sum of its inputs.
class Add : public LayerOf<Add, Merge> {
 public:
  explicit Add(std::string name = "") : LayerOf(std::move(name)) {}
  std::string class_name() const override { return "Add"; }
  static LayerPtr from_config(const nlohmann::json& config);

 protected:
  Tensor merge(const TensorList& inputs) const override;
};

/// Keras's Subtract: inputs[0] - inputs[1]; exactly two inputs.
class Subtract : public LayerOf<Subtract, Merge> {
 public:
  explicit Subtract(std::string name = "") : LayerOf(std::move(name)) {}
  std::string class_name() const override { return "Subtract"; }
  int num_inputs() const override { return 2; }
  static LayerPtr from_config(const nlohmann::json& config);

 protected:
  Tensor merge(const TensorList& inputs) const override;
  void check_count(size_t count) const override;
};

/// Keras's Multiply: the element-wise product of its inputs.
class Multiply : public LayerOf<Multiply, Merge> {
 public:
  explicit Multiply(std::string name = "") : LayerOf(std::move(name)) {}
  std::string class_name() const override { return "Multiply"; }
  static LayerPtr from_config(const nlohmann::json& config);

 protected:
  Tensor merge(const TensorList& inputs) const override;
};

/// Keras's Average: the element-wise mean of its inputs.
class Average : public LayerOf<Average, Merge> {
 public:
  explicit Average(std::string name = "") : LayerOf(std::move(name)) {}
  std::string class_name() const override { return "Average"; }
  static LayerPtr from_config(const nlohmann::json& config);

 protected:
  Tensor merge(const TensorList& inputs) const override;
};

/// Keras's Maximum: the element-wise maximum of its inputs.
class Maximum : public LayerOf<Maximum, Merge> {
 public:
  explicit Maximum(std::string name = "") : LayerOf(std::move(name)) {}
  std::string class_name() const override { return "Maximum"; }
  static LayerPtr from_config(const nlohmann::json& config);

 protected:
  Tensor merge(const TensorList& inputs) const override;
};

/// Keras's Minimum: the element-wise minimum of its inputs.
class Minimum : public LayerOf<Minimum, Merge> {
 public:
  explicit Minimum(std::string name = "") : LayerOf(std::move(name)) {}
  std::string class_name() const override { return "Minimum"; }
  static LayerPtr from_config(const nlohmann::json& config);

 protected:
  Tensor merge(const TensorList& inputs) const override;
};

/// Keras's Concatenate: the inputs joined along `axis` (default the last); every other axis
/// must agree (a ShapeError naming the layer and the shapes otherwise).
class Concatenate : public LayerOf<Concatenate, Merge> {
 public:
  explicit Concatenate(int64_t axis = -1, std::string name = "")
      : LayerOf(std::move(name)), axis_(axis) {}
  std::string class_name() const override { return "Concatenate"; }
  std::vector<Shape> compute_output_shapes(const std::vector<Shape>& input_shapes) const override;
  TensorList call_inputs(const TensorList& inputs, CallContext& ctx) override;
  nlohmann::json get_config() const override;
  static LayerPtr from_config(const nlohmann::json& config);
  int64_t axis() const { return axis_; }

 protected:
  Tensor merge(const TensorList& inputs) const override;

 private:
  int64_t axis_;
};

}  // namespace nabla
