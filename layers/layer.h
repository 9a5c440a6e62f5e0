// Layer: the interface every Keras layer implements. One class per Keras layer lives in this
// folder (dense.h, dropout.h, ...), each registered by its Keras class name.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "framework/core/registry.h"
#include "framework/core/tensor.h"
#include "framework/graph/variable.h"
#include "layers/initializers.h"
#include "layers/regularizers.h"

namespace nabla {

/// What a layer's call() is told besides its input.
struct CallContext {
  /// Training mode: dropout active, batch statistics used and moving statistics updated.
  bool training = false;
  /// The optimizer's step count (int64 scalar) in training, so that random layers draw a new
  /// mask each step in a way a checkpoint can reproduce; undefined outside training.
  Tensor step;
  /// Ops the layer wants run with each training step (moving-average updates).
  std::vector<Tensor>* updates = nullptr;
  /// Extra loss terms (activity regularization).
  std::vector<Tensor>* losses = nullptr;
  /// Data-parallel training (distributed::Strategy): the index, within the global batch, of the
  /// first row this rank computes (int64 scalar). Random layers pass it with `step` (dropout's
  /// row_offset), so a row draws the same mask whichever rank holds it. Undefined otherwise.
  Tensor row_offset;
  /// Data-parallel training: the sum of a tensor over the ranks (a graph op whose gradient is the
  /// same sum), for layers that synchronize statistics across ranks
  /// (BatchNormalization(synchronized=true)). Empty when training alone.
  std::function<Tensor(const Tensor&)> cross_replica_sum;
};

/// A Keras layer: it owns its weights (Variables named "<layer>/<weight>", e.g. "dense/kernel")
/// and computes its output from its input with nabla's ops, so the same code runs symbolically
/// (when a model compiles its graph) and eagerly (in a GradientTape training loop).
class Layer : public std::enable_shared_from_this<Layer> {
 public:
  /// `name` "" gives Keras's default: the snake_case class name, numbered from the second use on
  /// ("dense", "dense_1", ...).
  explicit Layer(std::string name = "");
  virtual ~Layer() = default;
  /// Copies share the weights (Variables are handles) and the layer's identity: a functional
  /// model records one layer however many copies call it.
  Layer(const Layer& other);
  Layer& operator=(const Layer& other);

  /// The Keras class name, e.g. "Dense".
  virtual std::string class_name() const = 0;
  /// The layer's name; a default one is given on first request.
  const std::string& name() const;

  /// Creates the weights for inputs of `input_shape` (the batch dimension is -1). Called once,
  /// by the first call or by the model.
  virtual void build(const Shape& input_shape) {}
  /// The computation (called by operator() once built).
  virtual Tensor call(const Tensor& x, CallContext& ctx) = 0;
  /// The output shape for `input_shape` (batch -1 stays -1).
  virtual Shape compute_output_shape(const Shape& input_shape) const { return input_shape; }

  /// Builds on first use, then calls call(). Works on symbolic and eager tensors, and on Keras
  /// tensors (Input() and the outputs of layers called on them), where it records the call for a
  /// functional Model and returns the output as a Keras tensor.
  Tensor operator()(const Tensor& x, bool training = false);
  Tensor operator()(const Tensor& x, CallContext& ctx);

  // ---- several inputs: merge layers (Add, Concatenate, ...) and models used as layers ----
  /// How many inputs a call takes: 1 for most layers, -1 for any number (merge layers).
  virtual int num_inputs() const { return 1; }
  /// The layer applied to `inputs` (symbolic, eager or Keras tensors).
  TensorList operator()(const TensorList& inputs, bool training = false);
  TensorList operator()(const TensorList& inputs, CallContext& ctx);
  /// The computation on several inputs; a one-input layer calls call() on the single input.
  virtual TensorList call_inputs(const TensorList& inputs, CallContext& ctx);
  /// Builds for inputs of `input_shapes` (batch -1); a one-input layer calls build().
  virtual void build_inputs(const std::vector<Shape>& input_shapes);
  /// The output shapes for `input_shapes`; a one-input layer calls compute_output_shape().
  virtual std::vector<Shape> compute_output_shapes(const std::vector<Shape>& input_shapes) const;
  /// Builds with `input_shapes` if not built yet.
  void ensure_built(const std::vector<Shape>& input_shapes);
  /// A copy of this layer owned by a shared_ptr (LayerOf<> makes it), sharing its weights.
  virtual std::shared_ptr<Layer> clone() const = 0;

  /// One recorded call of the layer on Keras tensors (Keras's inbound node).
  struct Node {
    TensorList inputs, outputs;  // Keras tensors
  };
  /// The calls recorded on Keras tensors, in order (a shared layer has several).
  const std::vector<Node>& inbound_nodes() const { return inbound_nodes_; }

  bool built() const { return built_; }
  /// Input shape the layer was built for (batch -1), or an empty shape before building.
  const Shape& input_shape() const { return input_shape_; }
  Shape output_shape() const { return compute_output_shape(input_shape_); }

  /// Trainable weights first, then non-trainable, in creation order (Keras's `weights`).
  virtual VariableList weights() const;
  virtual VariableList trainable_weights() const;
  virtual VariableList non_trainable_weights() const;
  /// Current values of weights() (copies).
  TensorList get_weights() const;
  /// Sets all weights from values in weights() order; checks count and shapes first, so a bad
  /// list changes nothing.
  void set_weights(const TensorList& values);
  /// Number of scalars in all weights.
  virtual int64_t count_params() const;

  /// When false, the layer's weights are not trained.
  bool trainable() const { return trainable_; }
  void set_trainable(bool trainable) { trainable_ = trainable; }

  /// Regularization penalties of the weights (e.g. l2 of the kernel).
  virtual TensorList regularization_losses() const;

  /// The Keras layer config ({"name": ..., "trainable": ..., ...}).
  virtual nlohmann::json get_config() const;
  /// The Keras major version the config must be read as to mean this layer (2 or 3; 0 when any
  /// does): see ActivationFn::keras_major.
  virtual int keras_major() const { return 0; }
  /// Makes this layer build as if called on `input_shape` (used when a config names one).
  void set_build_input_shape(const Shape& shape) { build_input_shape_ = shape; }
  /// Input shape given in the layer's config (batch_input_shape), if any.
  const Shape* build_input_shape() const {
    return has_build_input_shape() ? &build_input_shape_ : nullptr;
  }
  bool has_build_input_shape() const { return build_input_shape_.rank() > 0; }
  /// Builds with `input_shape` if not built yet.
  void ensure_built(const Shape& input_shape);

 protected:
  /// The Keras tensor an InputLayer stands for (made on first use, the same one afterwards).
  Tensor keras_input_tensor(const Shape& shape);
  /// Creates a weight named "<layer>/<name>" with values from `initializer` (of `dtype`: Keras
  /// keeps counters such as Normalization's "count" as int64).
  Variable add_weight(const std::string& name, const Shape& shape, const Initializer& initializer,
                      bool trainable = true, const RegularizerPtr& regularizer = nullptr,
                      DType dtype = DType::Float32);
  /// Common keys of get_config(): name, trainable, dtype.
  nlohmann::json base_config() const;

 private:
  // The layer object a functional model records calls of: this one when a shared_ptr owns it,
  // else the shared copy made at its first recorded call.
  std::shared_ptr<Layer> recording_owner();
  TensorList record_call(const TensorList& inputs);
  // ShapeError unless `shape` (batch -1; `given` as the caller gave it) fits the built shape.
  void check_input_shape(const Shape& shape, const Shape& given) const;

  mutable std::string name_;
  uint64_t identity_;  // shared by copies
  std::vector<Node> inbound_nodes_;
  bool built_ = false;
  bool trainable_ = true;
  Shape input_shape_;
  Shape build_input_shape_;
  std::vector<Variable> weights_;
  std::vector<bool> weight_trainable_;
  std::vector<std::pair<Variable, RegularizerPtr>> regularized_;
};

using LayerPtr = std::shared_ptr<Layer>;

/// The base of a concrete layer class `Derived`: makes clone() a shared copy of it. `Base` is the
/// layer class it extends (Layer, or a family's base such as Merge).
///
///     class Dense : public LayerOf<Dense> { ... };
///     class Add : public LayerOf<Add, Merge> { ... };
template <class Derived, class Base = Layer>
class LayerOf : public Base {
 public:
  using Base::Base;
  LayerPtr clone() const override {
    return std::make_shared<Derived>(static_cast<const Derived&>(*this));
  }
};

/// A layer, held by pointer, made from any layer value or pointer, so that lists read like
/// Keras: `Sequential({Input({784}), Dense(64, "relu"), Dense(10)})`.
class LayerRef {
 public:
  template <class L, class = std::enable_if_t<std::is_base_of_v<Layer, std::decay_t<L>>>>
  LayerRef(L&& layer)  // NOLINT: implicit by design
      : ptr_(std::make_shared<std::decay_t<L>>(std::forward<L>(layer))) {}
  template <class L, class = std::enable_if_t<std::is_base_of_v<Layer, L>>>
  LayerRef(std::shared_ptr<L> layer) : ptr_(std::move(layer)) {}  // NOLINT
  const LayerPtr& get() const { return ptr_; }

 private:
  LayerPtr ptr_;
};

/// Forgets the default layer names handed out so far (Keras's clear_session), so the next Dense
/// is "dense" again.
void reset_layer_names();
/// A default name for a layer of `class_name` ("Dense" -> "dense", "dense_1", ...).
std::string default_layer_name(const std::string& class_name);

/// Layers by Keras class name, each a factory from the "config" object of a Keras layer config,
/// for model configs: `LayerRegistry::global().from_config({{"class_name", "Dense"}, ...})`.
/// Users may register their own: `LayerRegistry::global().add("MyLayer", factory)`.
using LayerRegistry = Registry<Layer>;
template <>
LayerRegistry& LayerRegistry::global();

}  // namespace nabla
