// Sequential: a Keras model made of a stack of layers.
#pragma once

#include <iosfwd>
#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "framework/keras/callbacks.h"
#include "framework/keras/refs.h"
#include "framework/keras/training_options.h"
#include "framework/runtime/session.h"
#include "layers/layer.h"

namespace nabla {

struct CompiledModel;

/// A linear stack of layers, as keras.Sequential:
///
///     Sequential model({Input({784}), Dense(256, "relu"), Dropout(0.2), Dense(10)});
///     model.compile(Adam(1e-3), SparseCategoricalCrossentropy(true), {"accuracy"});
///     History h = model.fit(x, y, FitOptions().epochs(5).batch_size(128).validation_split(0.1));
///     Logs test = model.evaluate(x_test, y_test);
///     Tensor probabilities = model.predict(x_test);
///
/// compile() builds the training graph on nabla's engine: placeholders for x, y and sample
/// weights; the forward pass in training mode (dropout on, batch statistics) and in inference
/// mode (dropout off, moving statistics), sharing the layers' variables; the loss plus
/// regularization; gradient nodes; the optimizer's update ops; and the metrics' statistics. A
/// Session runs compiled plans of it on the chosen device.
///
/// Calling the model on an eager tensor runs the layers eagerly, so the same model trains in a
/// GradientTape loop:
///
///     GradientTape tape;
///     Tensor loss = loss_fn(y_batch, model(x_batch, /*training=*/true));
///     optimizer.apply_gradients(tape.gradient(loss, model.trainable_weights()),
///                               model.trainable_weights());
class Sequential {
 public:
  /// A model of `layers` (the first may be an Input or carry an input shape). `name` "" gives
  /// Keras's default ("sequential", "sequential_1", ...).
  explicit Sequential(std::vector<LayerRef> layers = {}, std::string name = "");
  Sequential(std::initializer_list<LayerRef> layers, std::string name = "");
  ~Sequential();
  Sequential(Sequential&&) noexcept;
  Sequential& operator=(Sequential&&) noexcept;

  // ---- structure ----
  /// Appends a layer (before compile).
  void add(LayerRef layer);
  /// Removes the last layer.
  void pop();
  const std::vector<LayerPtr>& layers() const { return layers_; }
  /// The layer called `name`; NotFoundError (with the nearest name) otherwise.
  LayerPtr get_layer(const std::string& name) const;
  const std::string& name() const { return name_; }
  /// Builds every layer for inputs of `input_shape` (without the batch axis).
  void build(const Shape& input_shape);
  bool built() const { return built_; }
  /// The input shape with the batch axis as -1, e.g. (None, 784). StateError before building.
  Shape input_shape() const;
  Shape output_shape() const;
  /// Throws ShapeError unless x fits the input shape (any batch size), naming `what`.
  void check_input(const Tensor& x, const char* what) const;
  /// Prints Keras's summary table: Layer (type), Output Shape, Param #, then the totals.
  void summary(std::ostream& os) const;
  std::string summary() const;

  // ---- calling ----
  /// The model applied to x (symbolic or eager); builds on first use.
  Tensor operator()(const Tensor& x, bool training = false);
  Tensor call(const Tensor& x, CallContext& ctx);

  // ---- weights ----
  /// Every trainable weight (layer by layer), then every non-trainable one, as Keras orders them.
  VariableList weights() const;
  VariableList trainable_weights() const;
  VariableList non_trainable_weights() const;
  /// Copies of all weights, in weights() order (Keras's get_weights()).
  TensorList get_weights() const;
  /// Sets all weights; checks every count and shape first, so a bad list changes nothing.
  void set_weights(const TensorList& values);
  int64_t count_params() const;

  // ---- training ----
  /// Configures training; the graph is built at the first fit/evaluate/predict (when the input
  /// shape is known). Metrics by name ("accuracy", "mae", ...) or objects.
  void compile(OptimizerRef optimizer, LossRef loss, std::vector<MetricRef> metrics = {},
               Device device = Device::CPU);
  bool compiled() const { return optimizer_ != nullptr; }
  /// Trains on (x, y). x: float32 [samples, ...input shape]; y: labels as the loss expects them
  /// (class indices for sparse losses, else values shaped like the output).
  History fit(const Tensor& x, const Tensor& y, const FitOptions& options = FitOptions());
  /// Loss and metrics on (x, y), inference mode. Keys: "loss", then metric names.
  Logs evaluate(const Tensor& x, const Tensor& y,
                const EvaluateOptions& options = EvaluateOptions());
  /// Outputs for x, inference mode, computed in batches; a float32 tensor on the CPU.
  Tensor predict(const Tensor& x, const PredictOptions& options = PredictOptions());
  /// One training step on one batch; returns its loss and metrics.
  Logs train_on_batch(const Tensor& x, const Tensor& y, const Tensor& sample_weight = Tensor());
  /// Loss and metrics of one batch, inference mode.
  Logs test_on_batch(const Tensor& x, const Tensor& y, const Tensor& sample_weight = Tensor());

  /// Set by callbacks (EarlyStopping, TerminateOnNaN) to end fit after the current epoch/batch.
  bool stop_training = false;

  Optimizer& optimizer() const;
  Loss& loss() const;
  const std::vector<MetricPtr>& metrics() const { return metrics_; }
  /// Names of the metrics in logs ("accuracy", ...), in order.
  std::vector<std::string> metrics_names() const;

  // ---- devices ----
  /// Moves the weights and optimizer state to `device` and runs there from now on.
  void to(Device device);
  Device device() const { return device_; }

  // ---- the graph underneath ----
  /// The compiled training graph (StateError before compile and build).
  Graph& graph();
  Session& session();
  /// Placeholders and fetches of the compiled graph, for tools (export-graph, benchmarks).
  const CompiledModel& compiled_model();

  // ---- checkpoints (HDF5, Keras's layout) ----
  /// Saves weights, model config, training config and optimizer state to an .h5 file.
  void save(const std::string& path);
  /// Saves the weights alone in Keras 2's legacy weights layout.
  void save_weights(const std::string& path);
  /// Loads weights saved by save_weights/save (nabla's or Keras's), matched layer by layer in
  /// order; the model is unchanged if anything fails.
  void load_weights(const std::string& path);

  /// Extra facts saved with the model as root attributes "nabla_<key>" (JSON text) and restored
  /// by load_model: the CLI keeps its preprocessing (scale, standardization statistics, class
  /// names) here so that evaluate and predict apply the same.
  std::map<std::string, std::string>& metadata() { return metadata_; }
  const std::map<std::string, std::string>& metadata() const { return metadata_; }

  // ---- serialization (Keras formats) ----
  /// Keras model JSON: {"class_name": "Sequential", "config": {"name", "layers": [...]}}.
  std::string to_json() const;
  nlohmann::json get_config() const;
  /// The training_config Keras stores in .h5 files (loss, metrics, optimizer config).
  nlohmann::json training_config() const;

 private:
  CompiledModel& ensure_graph(const Shape& data_shape);
  void invalidate_graph();

  std::string name_;
  std::vector<LayerPtr> layers_;
  bool built_ = false;
  Shape input_shape_;
  Device device_ = Device::CPU;
  OptimizerPtr optimizer_;
  LossPtr loss_;
  std::vector<MetricRef> metric_refs_;
  std::vector<MetricPtr> metrics_;
  std::unique_ptr<CompiledModel> compiled_;
  std::map<std::string, std::string> metadata_;
};

/// Rebuilds a model from Keras model JSON (Sequential; dict form, or the old list form of
/// Keras <= 2.2.2). Layers nabla does not have are a NotFoundError naming the class.
Sequential model_from_json(const std::string& json);
Sequential model_from_config(const nlohmann::json& config);

}  // namespace nabla
