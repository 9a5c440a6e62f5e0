// Metrics: stateful, exact over an epoch.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <span>
#include <string>
#include <vector>

#include "framework/core/registry.h"
#include "framework/core/tensor.h"
#include "losses/loss.h"

namespace nabla {

/// A Keras metric. Each batch contributes statistics computed in the graph (e.g. the
/// sample-weighted count of correct predictions and the sum of weights); the metric adds them up
/// on the host in double precision, so an epoch's value is the exact weighted mean over all its
/// samples, not a mean of batch means.
class Metric {
 public:
  explicit Metric(std::string name) : name_(std::move(name)) {}
  virtual ~Metric() = default;

  /// The name in logs and histories ("accuracy", "precision", ...).
  const std::string& name() const { return name_; }
  /// Per-batch statistics (float32 tensors), from labels, predictions and per-sample weights
  /// (shape [batch]).
  virtual TensorList statistics(const Tensor& y_true, const Tensor& y_pred,
                                const Tensor& sample_weight) const = 0;
  /// Adds one batch's statistics: one host pointer per tensor of statistics(), in order.
  virtual void accumulate(std::span<const float* const> stats) = 0;
  /// The value over everything accumulated since reset().
  virtual double result() const = 0;
  virtual void reset() = 0;
  /// The metric's config value as Keras writes it in training_config (its name, usually).
  virtual nlohmann::json get_config() const;

 private:
  std::string name_;
};

using MetricPtr = std::shared_ptr<Metric>;

/// The mean of a per-sample value (accuracy, mse, ...): sum(w * value) / sum(w).
class MeanMetricWrapper : public Metric {
 public:
  using Fn = Tensor (*)(const Tensor& y_true, const Tensor& y_pred);
  MeanMetricWrapper(std::string name, Fn per_sample) : Metric(std::move(name)), fn_(per_sample) {}
  TensorList statistics(const Tensor& y_true, const Tensor& y_pred,
                        const Tensor& sample_weight) const override;
  void accumulate(std::span<const float* const> stats) override;
  double result() const override { return weight_ > 0 ? total_ / weight_ : 0.0; }
  void reset() override { total_ = weight_ = 0; }

 private:
  Fn fn_;
  double total_ = 0, weight_ = 0;
};

/// Precision or recall at a threshold: tp / (tp + fp) or tp / (tp + fn).
class Precision : public Metric {
 public:
  explicit Precision(double threshold = 0.5, std::string name = "precision");
  TensorList statistics(const Tensor&, const Tensor&, const Tensor&) const override;
  void accumulate(std::span<const float* const> stats) override;
  double result() const override;
  void reset() override { tp_ = fp_ = 0; }

 private:
  double threshold_, tp_ = 0, fp_ = 0;
};

class Recall : public Metric {
 public:
  explicit Recall(double threshold = 0.5, std::string name = "recall");
  TensorList statistics(const Tensor&, const Tensor&, const Tensor&) const override;
  void accumulate(std::span<const float* const> stats) override;
  double result() const override;
  void reset() override { tp_ = fn_ = 0; }

 private:
  double threshold_, tp_ = 0, fn_ = 0;
};

/// Area under the ROC curve from confusion counts at `num_thresholds` thresholds, summed by the
/// trapezoidal rule, as Keras's AUC (curve="ROC", summation_method="interpolation").
class AUC : public Metric {
 public:
  explicit AUC(int num_thresholds = 200, std::string name = "auc");
  TensorList statistics(const Tensor&, const Tensor&, const Tensor&) const override;
  void accumulate(std::span<const float* const> stats) override;
  double result() const override;
  void reset() override;

 private:
  std::vector<double> thresholds_;
  std::vector<double> tp_, fp_, tn_, fn_;
};

/// Makes a metric named `name` (the identifier it was asked for, as Keras names it); `loss` and
/// `output_dim` are what "accuracy" is resolved against (see get_metric).
using MetricFactory =
    std::function<MetricPtr(const std::string& name, const Loss* loss, int64_t output_dim)>;
/// Metrics by Keras name, alias and class name ("mae", "mean_absolute_error",
/// "MeanAbsoluteError"). Users may add their own.
using MetricRegistry = Registry<Metric, MetricFactory>;
template <>
MetricRegistry& MetricRegistry::global();

/// Makes a metric by Keras name: accuracy / acc (resolved against the loss and output shape the
/// way Keras does, in any case), binary_accuracy, categorical_accuracy,
/// sparse_categorical_accuracy, top_k_categorical_accuracy, mean_squared_error / mse,
/// mean_absolute_error / mae, precision, recall, auc, and whatever users registered. `loss` and
/// `output_dim` resolve "accuracy". NotFoundError with the nearest name.
MetricPtr get_metric(const std::string& name, const Loss* loss = nullptr, int64_t output_dim = 0);
/// Every name get_metric accepts.
std::vector<std::string> metric_names();

}  // namespace nabla
