// Metric configs, the mean metrics and the lookup of metrics by Keras name.
#include "framework/keras/metrics.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>

#include "framework/keras/metric_functions.h"
#include "framework/ops/ops.h"
#include "losses/loss_utils.h"

namespace nabla {

nlohmann::json Metric::get_config() const {
  return name_;
}

TensorList MeanMetricWrapper::statistics(const Tensor& y_true, const Tensor& y_pred,
                                         const Tensor& sample_weight) const {
  Tensor values = fn_(y_true, y_pred);
  // Sums are taken in the values' dtype (float64 stays exact) and handed over as float32.
  Tensor weights = ones_like(values);
  if (sample_weight.defined()) weights = weights * loss_utils::weights_like(sample_weight, values);
  return {cast(reduce_sum(values * weights), DType::Float32),
          cast(reduce_sum(weights), DType::Float32)};
}

void MeanMetricWrapper::accumulate(std::span<const float* const> stats) {
  total_ += stats[0][0];
  weight_ += stats[1][0];
}

namespace {

using Factory = std::function<MetricPtr(const std::string& name)>;

template <Tensor (*F)(const Tensor&, const Tensor&, double)>
Tensor with_default_threshold(const Tensor& y_true, const Tensor& y_pred) {
  return F(y_true, y_pred, 0.5);
}

template <Tensor (*F)(const Tensor&, const Tensor&, int64_t)>
Tensor with_default_k(const Tensor& y_true, const Tensor& y_pred) {
  return F(y_true, y_pred, 5);
}

Factory mean_of(MeanMetricWrapper::Fn fn) {
  return [fn](const std::string& name) { return std::make_shared<MeanMetricWrapper>(name, fn); };
}

/// Keras's identifiers (snake_case names, aliases and class names) and their metrics. A metric
/// is named by the identifier it was asked for, as Keras's compile() names it.
const std::vector<std::pair<std::vector<std::string>, Factory>>& table() {
  namespace mf = metric_functions;
  static const std::vector<std::pair<std::vector<std::string>, Factory>> t = {
      {{"binary_accuracy", "BinaryAccuracy"}, mean_of(with_default_threshold<mf::binary_accuracy>)},
      {{"categorical_accuracy", "CategoricalAccuracy"}, mean_of(mf::categorical_accuracy)},
      {{"sparse_categorical_accuracy", "SparseCategoricalAccuracy"},
       mean_of(mf::sparse_categorical_accuracy)},
      {{"top_k_categorical_accuracy", "TopKCategoricalAccuracy"},
       mean_of(with_default_k<mf::top_k_categorical_accuracy>)},
      {{"mean_squared_error", "mse", "MSE", "MeanSquaredError"}, mean_of(mf::mean_squared_error)},
      {{"mean_absolute_error", "mae", "MAE", "MeanAbsoluteError"},
       mean_of(mf::mean_absolute_error)},
      {{"precision", "Precision"},
       [](const std::string& name) { return std::make_shared<Precision>(0.5, name); }},
      {{"recall", "Recall"},
       [](const std::string& name) { return std::make_shared<Recall>(0.5, name); }},
      {{"auc", "AUC"}, [](const std::string& name) { return std::make_shared<AUC>(200, name); }},
  };
  return t;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

/// Keras 3's choice for "accuracy": binary for a single output unit (or a binary loss), sparse
/// for class-index labels, categorical otherwise.
MeanMetricWrapper::Fn accuracy_for(const Loss* loss, int64_t output_dim) {
  namespace mf = metric_functions;
  if (output_dim == 1 || (loss && loss->class_name() == "BinaryCrossentropy"))
    return with_default_threshold<mf::binary_accuracy>;
  if (loss && loss->label_kind() == LabelKind::Sparse) return mf::sparse_categorical_accuracy;
  return mf::categorical_accuracy;
}

}  // namespace

MetricPtr get_metric(const std::string& name, const Loss* loss, int64_t output_dim) {
  const std::string key = lower(name);
  if (key == "accuracy" || key == "acc")
    return std::make_shared<MeanMetricWrapper>(name, accuracy_for(loss, output_dim));
  for (const auto& [names, factory] : table())
    if (std::find(names.begin(), names.end(), name) != names.end()) return factory(name);
  throw_unknown("metric", name, metric_names());
}

std::vector<std::string> metric_names() {
  std::vector<std::string> names = {"accuracy", "acc"};
  for (const auto& entry : table())
    names.insert(names.end(), entry.first.begin(), entry.first.end());
  return names;
}

}  // namespace nabla
