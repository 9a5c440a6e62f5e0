// Model: what every Keras model has — compile, fit, evaluate, predict, weights, files, summary.
#pragma once

#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "framework/keras/callbacks.h"
#include "framework/keras/refs.h"
#include "framework/keras/training_options.h"
#include "layers/layer.h"

namespace nabla {

class Graph;
class Session;
struct TrainStep;

namespace detail {
struct ModelState;
}

/// Tensors by name: a model's inputs by input name, or its targets by output name (Keras's dict
/// form of fit, evaluate and predict).
using NamedTensors = std::map<std::string, Tensor>;

/// Called when a model compiles its training step, between "gradients computed" and "update
/// applied": it gets the gradients (symbolic tensors of the step's graph, one per trainable
/// variable) and returns the gradients the optimizer applies. Data-parallel training inserts its
/// all-reduce here; anything else that transforms gradients (averaging across devices,
/// compression) can too.
using GradientTransform =
    std::function<TensorList(const TensorList& gradients, const VariableList& variables)>;

/// A Keras model. Sequential (a stack of layers) and the functional Model (a graph of layer
/// calls) are its two ways of being built; everything else is shared:
///
///     model.compile(Adam(1e-3), "sparse_categorical_crossentropy", {"accuracy"});
///     History h = model.fit(x, y, FitOptions().epochs(5).batch_size(128));
///     Logs test = model.evaluate(x_test, y_test);
///     Tensor p = model.predict(x_test);
///     model.save("model.h5");
///
/// A Model is a handle, as a Python variable is: copies share one model (its layers, weights,
/// optimizer and compiled step). compile() builds nothing yet; the first fit/evaluate/predict
/// (when the input shape is known) builds the training step on nabla's engine: placeholders for
/// inputs, targets and sample weights; the forward pass in training mode and in inference mode
/// over the same variables; the loss plus regularization; gradient nodes; the optimizer's update;
/// the metrics' statistics. A Session runs compiled plans of it on the model's device.
///
/// Thread safety: predict() and evaluate() may be called from several threads at once on one
/// model (each call runs its own instance of the compiled plan; evaluate calls take turns, as
/// metrics are stateful); fit() while another thread predicts or evaluates on the same model is
/// refused with a StateError, since fit updates the weights in place. Building, compiling and
/// changing a model (add, to, load_weights) are not thread-safe.
class Model {
 public:
  /// An empty handle (no model); defined() is false.
  Model();
  /// A functional model, as keras.Model(inputs, outputs): the layer calls leading from `inputs`
  /// (Keras tensors made by Input()) to `outputs` (Keras tensors made by calling layers on
  /// them). `name` "" gives Keras's default ("functional", "functional_1", ...).
  ///
  ///     Tensor pixels = Input({784}, "pixels");
  ///     Tensor h = Dense(64, "relu")(pixels);
  ///     Model model(pixels, Dense(10, "softmax")(h), "mlp");
  Model(const TensorList& inputs, const TensorList& outputs, std::string name = "");
  Model(const Tensor& input, const Tensor& output, std::string name = "");
  ~Model();
  Model(const Model&);
  Model& operator=(const Model&);
  Model(Model&&) noexcept;
  Model& operator=(Model&&) noexcept;

  /// False for an empty handle.
  bool defined() const { return state_ != nullptr; }
  /// The Keras class name: "Sequential" or "Functional".
  std::string class_name() const;
  /// The model's name ("sequential", "model_1", ...).
  const std::string& name() const;

  // ---- structure ----
  /// Every layer, each once, in the order Keras lists them.
  std::vector<LayerPtr> layers() const;
  /// The layer called `name`; NotFoundError (with the nearest name) otherwise.
  LayerPtr get_layer(const std::string& name) const;
  /// True once the input shapes are known and every layer is built.
  bool built() const;
  /// Builds every layer for inputs of `input_shape` (without the batch axis); one-input models.
  void build(const Shape& input_shape);
  /// The input shape with the batch axis as -1, e.g. (None, 784); one-input models.
  Shape input_shape() const;
  /// The output shape with the batch axis as -1; one-output models.
  Shape output_shape() const;
  /// Every input's and output's shape.
  std::vector<Shape> input_shapes() const;
  std::vector<Shape> output_shapes() const;
  /// The names of the inputs and outputs (their layers' names), in order.
  std::vector<std::string> input_names() const;
  std::vector<std::string> output_names() const;
  /// The layer this model is when another model calls it (one per model while in use).
  LayerPtr as_layer() const;
  /// Throws ShapeError unless x fits the (single) input shape (any batch size), naming `what`.
  void check_input(const Tensor& x, const char* what) const;
  /// Prints Keras's summary table: layers, output shapes, parameter counts, totals.
  void summary(std::ostream& os) const;
  std::string summary() const;

  // ---- calling ----
  /// The model applied to x (symbolic or eager); builds on first use. One-input models.
  Tensor operator()(const Tensor& x, bool training = false);
  Tensor call(const Tensor& x, CallContext& ctx);
  /// Every input to every output.
  TensorList call(const TensorList& inputs, CallContext& ctx);

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
  /// Configures training; the step is built at the first fit/evaluate/predict. Metrics by name
  /// ("accuracy", "mae", ...) or objects.
  void compile(OptimizerRef optimizer, LossRef loss, std::vector<MetricRef> metrics = {},
               Device device = Device::CPU);
  /// Keras's dict form, for models with several outputs: a loss per output name, metrics per
  /// output name, and the weight of each output's loss in the total (1 when not given). Logs
  /// then hold "loss" (the weighted total), "<output>_loss" and "<output>_<metric>".
  void compile(OptimizerRef optimizer, std::map<std::string, LossRef> losses,
               std::map<std::string, std::vector<MetricRef>> metrics = {},
               std::map<std::string, double> loss_weights = {}, Device device = Device::CPU);
  /// compile() for data-parallel training: `strategy` (distributed::MultiWorker()) trains over
  /// the ranks of an MPI job, each computing its share of every batch, with gradients averaged
  /// between them; on a GPU each rank uses the GPU of its local rank (Strategy::device_for).
  void compile(OptimizerRef optimizer, LossRef loss, std::vector<MetricRef> metrics,
               const distributed::Strategy& strategy, Device device = Device::CPU);
  bool compiled() const;
  /// The strategy fit, evaluate and train_on_batch train and evaluate with (SingleDevice()
  /// unless compile or FitOptions set one).
  const distributed::Strategy& strategy() const;
  /// Uses `strategy` from now on (moving to its device for this rank when the model runs on a
  /// GPU); the step is rebuilt on next use.
  void set_strategy(const distributed::Strategy& strategy);
  /// Trains on (x, y). x: float32 [samples, ...input shape]; y: labels as the loss expects them
  /// (class indices for sparse losses, else values shaped like the output).
  History fit(const Tensor& x, const Tensor& y, const FitOptions& options = FitOptions());
  /// Loss and metrics on (x, y), inference mode. Keys: "loss", then metric names.
  Logs evaluate(const Tensor& x, const Tensor& y,
                const EvaluateOptions& options = EvaluateOptions());
  /// Outputs for x, inference mode, computed in batches; a float32 tensor on the CPU. Works
  /// before compile() too: the first call compiles an inference-only plan.
  Tensor predict(const Tensor& x, const PredictOptions& options = PredictOptions());
  /// The same for models with several inputs or outputs: one tensor per input and per output,
  /// in order.
  History fit(const TensorList& x, const TensorList& y, const FitOptions& options = FitOptions());
  Logs evaluate(const TensorList& x, const TensorList& y,
                const EvaluateOptions& options = EvaluateOptions());
  /// One tensor per output.
  TensorList predict(const TensorList& x, const PredictOptions& options = PredictOptions());
  /// Keras's dict form: inputs by input name, targets by output name.
  History fit(const NamedTensors& x, const NamedTensors& y,
              const FitOptions& options = FitOptions());
  Logs evaluate(const NamedTensors& x, const NamedTensors& y,
                const EvaluateOptions& options = EvaluateOptions());
  TensorList predict(const NamedTensors& x, const PredictOptions& options = PredictOptions());
  /// One training step on one batch; returns its loss and metrics.
  Logs train_on_batch(const Tensor& x, const Tensor& y, const Tensor& sample_weight = Tensor());
  /// Loss and metrics of one batch, inference mode.
  Logs test_on_batch(const Tensor& x, const Tensor& y, const Tensor& sample_weight = Tensor());

  /// Whether fit stops after the current epoch (callbacks such as EarlyStopping set it).
  bool stop_training() const;
  void set_stop_training(bool stop);

  Optimizer& optimizer() const;
  /// The loss (of every output); StateError when the model has a loss per output.
  Loss& loss() const;
  /// Every output's loss, in output order (after the first fit/evaluate/predict).
  const std::vector<LossPtr>& losses() const;
  const std::vector<MetricPtr>& metrics() const;
  /// Names of the logs' entries: "loss", then each metric.
  std::vector<std::string> metrics_names() const;
  /// Installs the transform applied to the gradients before the update (see GradientTransform);
  /// the step is rebuilt on next use.
  void set_gradient_transform(GradientTransform transform);

  // ---- devices ----
  /// Moves the weights and optimizer state to `device` and runs there from now on.
  void to(Device device);
  Device device() const;

  // ---- the graph underneath ----
  /// The compiled training step: its graph, session and named handles (StateError before
  /// compile and build).
  TrainStep& train_step();
  Graph& graph();
  Session& session();

  // ---- files (Keras's formats; see framework/keras/checkpoint.h) ----
  /// save_model(*this, path).
  void save(const std::string& path) const;
  /// save_weights(*this, path).
  void save_weights(const std::string& path) const;
  /// load_weights(*this, path).
  void load_weights(const std::string& path);

  // ---- serialization (Keras formats) ----
  /// Keras model JSON: {"class_name": ..., "config": {...}} as model.to_json() prints it.
  std::string to_json() const;
  nlohmann::json get_config() const;
  /// The training_config Keras stores in .h5 files (loss, metrics, optimizer config).
  nlohmann::json training_config() const;

  /// The state behind the handle (for the model kinds and the training loop).
  detail::ModelState& state() const;

 protected:
  explicit Model(std::shared_ptr<detail::ModelState> state);
  std::shared_ptr<detail::ModelState> state_;
};

/// Rebuilds a model from Keras model JSON. Layers or model classes nabla does not have are a
/// NotFoundError or UnimplementedError naming them.
Model model_from_json(const std::string& json);
Model model_from_config(const nlohmann::json& config);

}  // namespace nabla
