// Optimizer: the interface of Keras optimizers. One class per optimizer lives in this folder,
// registered by its Keras class name ("Adam", "SGD", ...). Schedules are in schedules.h.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "framework/core/tensor.h"
#include "framework/graph/variable.h"
#include "optimizers/schedules.h"

namespace nabla {

/// Arguments every Keras optimizer takes.
struct OptimizerOptions {
  double learning_rate = 0.001;
  /// When set, the learning rate follows this schedule of the step count instead.
  SchedulePtr schedule;
  /// Clip each gradient to this L2 norm (Keras clipnorm).
  std::optional<double> clipnorm;
  /// Clip each gradient element to [-clipvalue, clipvalue].
  std::optional<double> clipvalue;
  /// Scale all gradients together so their joint L2 norm is at most this.
  std::optional<double> global_clipnorm;
  /// Decoupled weight decay: w -= w * weight_decay * lr before each update.
  std::optional<double> weight_decay;
};

/// A Keras optimizer. apply_gradients() clips the gradients, applies one fused update per
/// variable (a single pass over the variable and its slots) and increments `iterations`; on
/// symbolic gradients it returns the op doing all that (run it each training step), on eager
/// ones it does it at once.
///
/// Its state is reachable for checkpoints: variables() lists `iterations` then every slot, in
/// the order the slots were made.
class Optimizer {
 public:
  Optimizer(std::string name, OptimizerOptions options);
  virtual ~Optimizer() = default;

  /// The Keras class name, e.g. "Adam".
  virtual std::string class_name() const = 0;
  const std::string& name() const { return name_; }

  /// One update of `variables` with `grads` (same order; undefined gradients are skipped).
  Tensor apply_gradients(const TensorList& grads, const VariableList& variables);
  /// Graph-mode convenience: gradients of `loss` then apply_gradients.
  Tensor minimize(const Tensor& loss, const VariableList& variables);

  /// The number of updates applied so far (int64 scalar variable).
  const Variable& iterations() const { return iterations_; }
  int64_t iterations_value() const;
  /// The learning rate the next step uses.
  double learning_rate() const;
  /// Sets a constant learning rate (StateError when the optimizer follows a schedule).
  void set_learning_rate(double lr);
  bool has_schedule() const { return options_.schedule != nullptr; }
  /// Sets the learning-rate variable from the schedule for the coming step; fit() and eager
  /// apply_gradients() call it before every step.
  void prepare_step();
  /// The variable holding the learning rate (float32 scalar), read by the update ops.
  const Variable& learning_rate_variable() const { return learning_rate_; }

  /// All state: iterations, then the slots of each variable in order.
  VariableList variables() const;
  /// The slots of `variable` ("m", "v", ...), made on first use.
  const VariableList& slots(const Variable& variable);
  /// Moves all state to `device`.
  void to(Device device);

  const OptimizerOptions& options() const { return options_; }
  /// The Keras config: {"name", "learning_rate" (or the schedule's config), "clipnorm", ...}.
  virtual nlohmann::json get_config() const;

 protected:
  /// Names of the slots each variable needs (e.g. {"m", "v"} for Adam).
  virtual std::vector<std::string> slot_names() const = 0;
  /// The initial value of slot `slot` (0 unless the optimizer says otherwise).
  virtual double slot_initial_value(const std::string& slot) const { return 0.0; }
  /// The fused update of one variable (see ops/optimizer_math.h), given its slots, the
  /// learning-rate and iteration tensors. Returns the update op (or undefined when eager).
  virtual Tensor update(const Variable& variable, const Tensor& grad, const VariableList& slots,
                        const Tensor& lr, const Tensor& iterations) = 0;
  /// Extra per-step work after all variable updates (Nadam's momentum product).
  virtual Tensor finish_step(const Tensor& iterations) { return Tensor(); }
  /// Attributes common to every update op (weight decay).
  nlohmann::json base_config() const;
  double weight_decay() const { return options_.weight_decay.value_or(0.0); }

 private:
  TensorList clip(const TensorList& grads) const;
  std::string name_;
  OptimizerOptions options_;
  Variable iterations_;
  Variable learning_rate_;
  std::vector<std::pair<Variable, VariableList>> slots_;
};

using OptimizerPtr = std::shared_ptr<Optimizer>;

/// Makes an optimizer by class name with default arguments ("adam", "Adam", "sgd", ...).
OptimizerPtr get_optimizer(const std::string& name);
/// From a Keras config: a name or {"class_name": "Adam", "config": {"learning_rate": ...}}.
OptimizerPtr optimizer_from_config(const nlohmann::json& config);
/// Adds a factory for a class name (users may add their own).
void register_optimizer(const std::string& class_name,
                        std::function<OptimizerPtr(const nlohmann::json& config)> factory);
std::vector<std::string> optimizer_names();

}  // namespace nabla
