// Loss: the interface of Keras losses. One class per loss lives in this folder, registered by its
// Keras names ("mean_squared_error", "mse", "MeanSquaredError").
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "framework/core/registry.h"
#include "framework/core/tensor.h"

namespace nabla {

/// The labels a loss expects from the data: class indices (sparse) or values shaped like the
/// model's output (dense).
enum class LabelKind { Dense, Sparse };

/// A Keras loss. call() gives one loss per sample; operator() reduces them the Keras way
/// ("sum_over_batch_size"): sum(loss_i * sample_weight_i) / batch_size.
class Loss {
 public:
  explicit Loss(std::string name) : name_(std::move(name)) {}
  virtual ~Loss() = default;

  /// The Keras class name, e.g. "SparseCategoricalCrossentropy".
  virtual std::string class_name() const = 0;
  /// The snake_case name used in logs and configs, e.g. "sparse_categorical_crossentropy".
  const std::string& name() const { return name_; }
  /// Per-sample losses, shape [batch], from labels and predictions (symbolic or eager).
  virtual Tensor call(const Tensor& y_true, const Tensor& y_pred) const = 0;
  /// The reduced loss (a scalar); `sample_weight` [batch] is optional.
  Tensor operator()(const Tensor& y_true, const Tensor& y_pred,
                    const Tensor& sample_weight = Tensor()) const;
  virtual LabelKind label_kind() const { return LabelKind::Dense; }
  /// The Keras config {"name": ..., "reduction": ..., plus the loss's own arguments}.
  virtual nlohmann::json get_config() const;

 private:
  std::string name_;
};

using LossPtr = std::shared_ptr<Loss>;

/// Losses by Keras name, alias and class name ("mse", "mean_squared_error",
/// "MeanSquaredError"), each a factory from the "config" object of a Keras loss config. Users may
/// add their own.
using LossRegistry = Registry<Loss>;
template <>
LossRegistry& LossRegistry::global();

/// Makes a loss by Keras name or class name ("mse", "categorical_crossentropy",
/// "CategoricalCrossentropy") with default arguments; NotFoundError (with the nearest name)
/// otherwise.
LossPtr get_loss(const std::string& name);
/// Makes a loss from a Keras config: a name, or {"class_name": ..., "config": {...}}.
LossPtr loss_from_config(const nlohmann::json& config);
/// Adds a loss factory under one or more names (users may add their own): the first name, with
/// the others as aliases, to LossRegistry::global().
void register_loss(const std::vector<std::string>& names,
                   std::function<LossPtr(const nlohmann::json& config)> factory);
/// Every registered name.
std::vector<std::string> loss_names();

}  // namespace nabla
