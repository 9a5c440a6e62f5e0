// The state behind a Model handle, and the interface each kind of model (Sequential, Functional)
// implements. Internal to framework/keras.
#pragma once

#include <atomic>
#include <iosfwd>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <thread>
#include <vector>

#include "framework/keras/model.h"
#include "framework/keras/train_step.h"

namespace nabla::detail {

/// How a kind of model is put together: its layers, shapes, forward pass and config.
class Architecture {
 public:
  virtual ~Architecture() = default;
  virtual std::string class_name() const = 0;
  /// Every layer, each once, in Keras's order.
  virtual std::vector<LayerPtr> layers() const = 0;
  virtual bool built() const = 0;
  /// Builds from the shapes of the inputs (batch -1); a model that knows them checks them.
  virtual void build(const std::vector<Shape>& input_shapes) = 0;
  virtual std::vector<Shape> input_shapes() const = 0;
  virtual std::vector<Shape> output_shapes() const = 0;
  /// The forward pass (symbolic or eager inputs).
  virtual TensorList call(const TensorList& inputs, CallContext& ctx) = 0;
  /// The names of the inputs and outputs.
  virtual std::vector<std::string> input_names() const = 0;
  virtual std::vector<std::string> output_names() const = 0;
  /// The "config" part of the model JSON.
  virtual nlohmann::json get_config(const std::string& name) const = 0;
  /// Keras's summary table (without the title line and the totals), and its width.
  virtual void summary_rows(std::ostream& os) const = 0;
  virtual size_t summary_width() const { return 65; }
};

/// Everything a model has, shared by the handles that point at it.
struct ModelState {
  std::string name;
  std::unique_ptr<Architecture> arch;
  Device device = Device::CPU;

  // compile(), as given: resolved against the outputs when the step is built.
  OptimizerPtr optimizer;
  LossPtr loss;                                  // every output's, unless given per output
  std::map<std::string, LossPtr> output_losses;  // by output name
  std::map<std::string, double> loss_weights;    // by output name (default 1)
  std::vector<MetricRef> metric_refs;            // every output's
  std::map<std::string, std::vector<MetricRef>> output_metric_refs;

  // Resolved when the step is built: per output its loss and weight, and every metric (in the
  // order of the logs) with the output it measures and its name in the logs.
  std::vector<LossPtr> losses;
  std::vector<double> weights;
  std::vector<MetricPtr> metrics;
  std::vector<int> metric_outputs;
  std::vector<std::string> metric_names;
  GradientTransform gradient_transform;
  // How fit and evaluate spread over processes: SingleDevice() unless compile or fit set one.
  distributed::Strategy strategy;
  std::weak_ptr<Layer> as_layer;  // the layer this model is inside other models
  bool stop_training = false;

  // The compiled step (built on first use), the inference-only step of a model predicting
  // without compile(), and what guards them.
  std::unique_ptr<TrainStep> step;
  std::unique_ptr<TrainStep> inference_step;
  std::mutex step_mutex;      // building the step
  std::mutex evaluate_mutex;  // evaluate calls take turns (metrics hold their sums)
  std::atomic<int> users{0};  // predict/evaluate calls under way
  std::atomic<bool> fitting{false};
  std::thread::id fit_thread;
  int changing = 0;  // ChangeGuards under way (nested on one thread)
  std::thread::id change_thread;

  /// The step of `self` (the model of this state), built on first use for data whose inputs have
  /// `data_shapes` (batch -1; used to build an unbuilt model). StateError before compile().
  TrainStep& ensure_step(Model& self, const std::vector<Shape>& data_shapes);
  /// What predict() runs: the compiled step, or before compile() an inference-only step, built
  /// on first use as ensure_step builds its step (Keras compiles its predict function either way).
  TrainStep& ensure_predict_step(Model& self, const std::vector<Shape>& data_shapes);
  /// Drops the compiled steps (the structure, device or compile arguments changed).
  void invalidate_step();
  /// Resolves the compile arguments against the outputs (`names`, last axes `widths`): per output
  /// its loss, weight and metrics. ValueError naming an output the arguments name but the model
  /// lacks, or an output left without a loss.
  void resolve_compile(const std::vector<std::string>& names, const std::vector<int64_t>& widths);

 private:
  // Builds an unbuilt model from its data's shapes (under step_mutex).
  void build_architecture(const std::vector<Shape>& data_shapes);
};

/// Marks a predict or evaluate call for its lifetime; refused with a StateError while another
/// thread runs fit() on the same model (which updates the weights in place).
class UseGuard {
 public:
  UseGuard(ModelState& state, const char* what);
  ~UseGuard();

 private:
  ModelState& state_;
  bool counted_;
};

/// Marks a fit() call; refused while another fit or, on another thread, a predict or evaluate
/// runs on the model.
class FitGuard {
 public:
  explicit FitGuard(ModelState& state);
  ~FitGuard();

 private:
  ModelState& state_;
};

/// Marks a change of what the compiled step is built from (compile, build, add, pop, to,
/// set_strategy, set_gradient_transform) for its lifetime. Refused with a StateError while fit,
/// predict or evaluate run on the model (from any thread, their own callbacks included): the
/// change would drop the step they are running. While it lasts, fit, predict and evaluate on
/// other threads are refused in turn. Nests on one thread (set_strategy moves the model).
class ChangeGuard {
 public:
  ChangeGuard(ModelState& state, const char* what);
  ~ChangeGuard();

 private:
  ModelState& state_;
};

}  // namespace nabla::detail
