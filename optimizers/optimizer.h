// Optimizer: the interface of Keras optimizers. One class per optimizer lives in this folder,
// registered by its Keras class name ("Adam", "SGD", ...). Schedules are in schedules.h.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "framework/core/attrs.h"
#include "framework/core/options.h"
#include "framework/core/registry.h"
#include "framework/core/tensor.h"
#include "framework/graph/variable.h"
#include "framework/ops/op_table.h"
#include "optimizers/schedules.h"

namespace nabla {

// Declares, inside an options struct, the arguments every Keras optimizer takes, each a NABLA_ARG
// with Keras's default (each optimizer's constructor sets its own default learning rate):
//   learning_rate    a constant learning rate (0.001)
//   schedule         when set, the learning rate follows this schedule of the step count instead
//   clipnorm         clip each gradient to this L2 norm
//   clipvalue        clip each gradient element to [-clipvalue, clipvalue]
//   global_clipnorm  scale all gradients together so their joint L2 norm is at most this
//   weight_decay     decoupled weight decay: w -= w * weight_decay * lr before each update
//   name             the prefix of the optimizer's variables' names ("" for Keras's, e.g. "adam")
#define NABLA_OPTIMIZER_COMMON_ARGS                                 \
  NABLA_ARG(double, learning_rate) = 0.001;                         \
  NABLA_ARG(SchedulePtr, schedule) = nullptr;                       \
  NABLA_ARG(std::optional<double>, clipnorm) = std::nullopt;        \
  NABLA_ARG(std::optional<double>, clipvalue) = std::nullopt;       \
  NABLA_ARG(std::optional<double>, global_clipnorm) = std::nullopt; \
  NABLA_ARG(std::optional<double>, weight_decay) = std::nullopt;    \
  NABLA_ARG(std::string, name) = ""

/// The arguments every Keras optimizer takes (see NABLA_OPTIMIZER_COMMON_ARGS), as one value:
/// what Optimizer keeps and what each optimizer's options give with common().
struct OptimizerOptions {
  NABLA_OPTIMIZER_COMMON_ARGS;
};

// Declares the common arguments inside one optimizer's options struct, so that they chain with
// its own: `AdamOptions(1e-3).beta_1(0.95).clipnorm(1.0).name("opt")`; plus common(), the common
// arguments as an OptimizerOptions, and common(options), which sets them all at once.
#define NABLA_OPTIMIZER_ARGS                                                                \
  NABLA_OPTIMIZER_COMMON_ARGS;                                                              \
                                                                                            \
 public:                                                                                    \
  OptimizerOptions common() const {                                                         \
    return OptimizerOptions()                                                               \
        .learning_rate(learning_rate_)                                                      \
        .schedule(schedule_)                                                                \
        .clipnorm(clipnorm_)                                                                \
        .clipvalue(clipvalue_)                                                              \
        .global_clipnorm(global_clipnorm_)                                                  \
        .weight_decay(weight_decay_)                                                        \
        .name(name_);                                                                       \
  }                                                                                         \
  auto& common(const OptimizerOptions& o) {                                                 \
    learning_rate_ = o.learning_rate(), schedule_ = o.schedule(), clipnorm_ = o.clipnorm(); \
    clipvalue_ = o.clipvalue(), global_clipnorm_ = o.global_clipnorm();                     \
    weight_decay_ = o.weight_decay(), name_ = o.name();                                     \
    return *this;                                                                           \
  }                                                                                         \
  static_assert(true)

/// A Keras optimizer. apply_gradients() clips the gradients, applies one fused update per
/// variable (a single pass over the variable and its slots) and increments `iterations`; on
/// symbolic gradients it returns the op doing all that (run it each training step), on eager
/// ones it does it at once.
///
/// Its state is reachable for checkpoints: variables() lists `iterations` then every slot, in
/// the order the slots were made, then any other state (Nadam's momentum product).
///
/// Slots are named as Keras 3 names them: "<optimizer name>/<variable name>_<slot>", with the
/// '/' of the variable's name made '_' (e.g. "adam/dense_kernel_momentum").
class Optimizer {
 public:
  /// `name` is the optimizer's name (options.name() is not read). ValueError when more than one
  /// of clipnorm, clipvalue and global_clipnorm is set.
  Optimizer(std::string name, OptimizerOptions options);
  virtual ~Optimizer() = default;
  // A copy would share the state variables of the original, so there are none.
  Optimizer(const Optimizer&) = delete;
  /// Moving keeps one owner of the state (models take optimizers by value: compile(Adam(1e-3))).
  Optimizer(Optimizer&&) = default;
  Optimizer& operator=(Optimizer&&) = default;
  Optimizer& operator=(const Optimizer&) = delete;

  /// The Keras class name, e.g. "Adam".
  virtual std::string class_name() const = 0;
  /// The name that prefixes its variables' names ("adam" unless given).
  const std::string& name() const { return name_; }

  /// One update of `variables` with `grads` (same order; undefined gradients are skipped).
  /// ValueError when the lists differ in length, no gradient is defined, or a gradient's shape
  /// is not its variable's.
  Tensor apply_gradients(const TensorList& grads, const VariableList& variables);
  /// Graph-mode convenience: gradients of `loss` (symbolic) then apply_gradients.
  Tensor minimize(const Tensor& loss, const VariableList& variables);

  /// The number of updates applied so far (int64 scalar variable).
  const Variable& iterations() const { return iterations_; }
  /// The current value of iterations().
  int64_t iterations_value() const;
  /// The learning rate the next step uses.
  double learning_rate() const;
  /// Sets a constant learning rate (StateError when the optimizer follows a schedule).
  void set_learning_rate(double lr);
  /// Whether the learning rate follows a schedule.
  bool has_schedule() const { return options_.schedule() != nullptr; }
  /// Sets the learning-rate variable from the schedule for the coming step; fit() and eager
  /// apply_gradients() call it before every step (graph-mode apply_gradients() once, for the
  /// first run of its op; a loop running that op must call it before each run).
  void prepare_step();
  /// The variable holding the learning rate (float32 scalar), read by the update ops.
  const Variable& learning_rate_variable() const { return learning_rate_; }

  /// All state: iterations, then the slots of each variable in order, then other state.
  VariableList variables() const;
  /// The same state in the order Keras lists its optimizer's variables (what its set_weights
  /// takes from an .h5 file): iterations, then the slots as keras_slot_groups() groups them,
  /// each group variable by variable, then other state.
  VariableList variables_in_keras_order() const;
  /// The slots of `variable` (in slot_names() order), made on first use.
  const VariableList& slots(const Variable& variable);
  /// Moves all state to `device`.
  void to(Device device);

  /// The arguments common to every optimizer.
  const OptimizerOptions& options() const { return options_; }
  /// The Keras config: {"name", "learning_rate" (or the schedule's config), "clipnorm", ...}.
  /// Optimizers add their own arguments to base_config().
  virtual nlohmann::json get_config() const;

 protected:
  /// Keras names of the slots each variable needs (e.g. {"momentum", "velocity"} for Adam).
  virtual std::vector<std::string> slot_names() const = 0;
  /// How Keras makes the slots: groups of slot names, each made for every variable in turn
  /// before the next group (Adam with amsgrad: {{momentum, velocity}, {velocity_hat}}). Default:
  /// one group, every slot of a variable together.
  virtual std::vector<std::vector<std::string>> keras_slot_groups() const { return {slot_names()}; }
  /// The initial value of slot `slot` (0 unless the optimizer says otherwise).
  virtual double slot_initial_value(const std::string& slot) const { return 0.0; }
  /// The fused update of one variable (see ops/optimizer_math.h), given its slots, the
  /// learning-rate and iteration tensors (nodes of the gradient's graph in graph mode). Returns
  /// the update op (or undefined when eager).
  virtual Tensor update(const Variable& variable, const Tensor& grad, const VariableList& slots,
                        const Tensor& lr, const Tensor& iterations) = 0;
  /// Extra per-step work after all variable updates (Nadam's momentum product).
  virtual Tensor finish_step(const Tensor& iterations) { return Tensor(); }
  /// The config keys every Keras 3 optimizer has, with Keras's values for the features nabla
  /// does not have (use_ema false, loss_scale_factor null, ...).
  nlohmann::json base_config() const;
  /// Attributes common to every update op: {"weight_decay", weight_decay()}.
  Attrs update_attrs() const;
  /// The weight decay factor, 0 when none.
  double weight_decay() const { return options_.weight_decay().value_or(0.0); }
  /// Runs fused update op `op` (e.g. op::ApplyAdam) on `variable` with its `slots`, with
  /// update_attrs() and `attrs` as attributes.
  Tensor update_op(OpId op, const Variable& variable, const Tensor& grad, const Tensor& lr,
                   const Tensor& iterations, const TensorList& slots, const Attrs& attrs) const;
  /// Adds state that is not a per-variable slot to variables() (and to to()).
  void track_variable(const Variable& variable);
  /// A read of `variable` for the step `like` (the iterations tensor update() is given) belongs
  /// to: a node of its graph when the step is symbolic, else an eager read.
  static Tensor read_for_step(const Variable& variable, const Tensor& like);

 private:
  TensorList clip(const TensorList& grads) const;
  std::string name_;
  OptimizerOptions options_;
  Variable iterations_;
  Variable learning_rate_;
  std::vector<std::pair<Variable, VariableList>> slots_;
  std::unordered_map<const VariableState*, size_t> slot_index_;  // into slots_
  VariableList other_state_;
};

using OptimizerPtr = std::shared_ptr<Optimizer>;

/// Optimizer classes by Keras class name, case-insensitive ("adam", "Adam"), each a factory
/// from the "config" object of a Keras config. Users may add their own.
using OptimizerRegistry = Registry<Optimizer>;
template <>
OptimizerRegistry& OptimizerRegistry::global();

/// Makes an optimizer by class name with default arguments ("adam", "Adam", "sgd", ...); the
/// name is case-insensitive. NotFoundError (with the nearest name) for unknown names.
OptimizerPtr get_optimizer(const std::string& name);
/// From a Keras config: a name or {"class_name": "Adam", "config": {"learning_rate": ...}}
/// (Keras 3 or tf-keras 2, whose "lr" and "Custom>Adam" are understood). ValueError naming the
/// key for unknown config keys.
OptimizerPtr optimizer_from_config(const nlohmann::json& config);
/// Adds a factory for a class name (users may add their own): OptimizerRegistry::global().add.
void register_optimizer(const std::string& class_name,
                        std::function<OptimizerPtr(const nlohmann::json& config)> factory);
/// The registered class names, sorted.
std::vector<std::string> optimizer_names();

}  // namespace nabla
