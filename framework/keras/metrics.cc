// Metric configs, the mean metrics and the lookup of metrics by Keras name.
#include "framework/keras/metrics.h"

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

template <Tensor (*F)(const Tensor&, const Tensor&, double)>
Tensor with_default_threshold(const Tensor& y_true, const Tensor& y_pred) {
  return F(y_true, y_pred, 0.5);
}

template <Tensor (*F)(const Tensor&, const Tensor&, int64_t)>
Tensor with_default_k(const Tensor& y_true, const Tensor& y_pred) {
  return F(y_true, y_pred, 5);
}

MetricFactory mean_of(MeanMetricWrapper::Fn fn) {
  return [fn](const std::string& name, const Loss*, int64_t) {
    return std::make_shared<MeanMetricWrapper>(name, fn);
  };
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

// Keras's identifiers (snake_case names, aliases and class names) and their metrics.
template <>
MetricRegistry& MetricRegistry::global() {
  namespace mf = metric_functions;
  // Never destroyed, so that lookups stay valid during static destruction.
  static MetricRegistry* r = [] {
    auto* r = new MetricRegistry("metric");
    r->add("accuracy",
           [](const std::string& name, const Loss* loss, int64_t output_dim) -> MetricPtr {
             return std::make_shared<MeanMetricWrapper>(name, accuracy_for(loss, output_dim));
           },
           {"acc"});
    r->add("binary_accuracy", mean_of(with_default_threshold<mf::binary_accuracy>),
           {"BinaryAccuracy"});
    r->add("categorical_accuracy", mean_of(mf::categorical_accuracy), {"CategoricalAccuracy"});
    r->add("sparse_categorical_accuracy", mean_of(mf::sparse_categorical_accuracy),
           {"SparseCategoricalAccuracy"});
    r->add("top_k_categorical_accuracy", mean_of(with_default_k<mf::top_k_categorical_accuracy>),
           {"TopKCategoricalAccuracy"});
    r->add("mean_squared_error", mean_of(mf::mean_squared_error),
           {"mse", "MSE", "MeanSquaredError"});
    r->add("mean_absolute_error", mean_of(mf::mean_absolute_error),
           {"mae", "MAE", "MeanAbsoluteError"});
    r->add("precision",
           [](const std::string& name, const Loss*, int64_t) -> MetricPtr {
             return std::make_shared<Precision>(0.5, name);
           },
           {"Precision"});
    r->add("recall",
           [](const std::string& name, const Loss*, int64_t) -> MetricPtr {
             return std::make_shared<Recall>(0.5, name);
           },
           {"Recall"});
    r->add("auc",
           [](const std::string& name, const Loss*, int64_t) -> MetricPtr {
             return std::make_shared<AUC>(200, name);
           },
           {"AUC"});
    return r;
  }();
  return *r;
}

MetricPtr get_metric(const std::string& name, const Loss* loss, int64_t output_dim) {
  // "accuracy" and "acc" in any case, as Keras's compile() matches them; a metric is named by
  // the identifier it was asked for, as Keras names it.
  const std::string key = detail::ascii_lower(name);
  const std::string lookup = key == "accuracy" || key == "acc" ? key : name;
  return MetricRegistry::global().create(lookup, name, loss, output_dim);
}

std::vector<std::string> metric_names() {
  return MetricRegistry::global().names();
}

}  // namespace nabla
