// Metrics: per-batch statistics computed in a graph and summed on the host give the exact value
// over all samples; sample weights; Keras 3's values for AUC, precision and recall; how
// "accuracy" is resolved; unknown names.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "framework/keras/metrics.h"
#include "loss_cases.h"

using namespace nabla;
using namespace nabla::testing;

namespace {

struct Batch {
  Tensor y_true, y_pred, sample_weight;
};

/// Runs `metric` over `batches` as fit() does: statistics built once in a graph with a run-time
/// batch size, evaluated per batch, accumulated on the host. Returns result().
double run_in_graph(Metric& metric, const std::vector<Batch>& batches) {
  Graph g;
  auto scope = g.as_default();
  const Batch& first = batches.front();
  const Tensor t = placeholder(first.y_true.dtype(), run_time_batch(first.y_true), "y_true");
  const Tensor p = placeholder(first.y_pred.dtype(), run_time_batch(first.y_pred), "y_pred");
  const bool weighted = first.sample_weight.defined();
  const Tensor w = placeholder(DType::Float32, {-1}, "w");
  const TensorList stats = metric.statistics(t, p, weighted ? w : Tensor());
  Session sess(g);
  metric.reset();
  for (const Batch& b : batches) {
    FeedDict feeds = {{t, b.y_true}, {p, b.y_pred}};
    if (weighted) feeds.emplace_back(w, b.sample_weight);
    const TensorList values = sess.run(stats, feeds);
    std::vector<const float*> pointers;
    for (const Tensor& v : values) {
      REQUIRE(v.dtype() == DType::Float32);
      pointers.push_back(v.data<float>());
    }
    metric.accumulate(pointers);
  }
  return metric.result();
}

/// The same, eagerly, all samples in one batch.
double run_eager(Metric& metric, const Batch& all) {
  metric.reset();
  const TensorList values = metric.statistics(all.y_true, all.y_pred, all.sample_weight);
  std::vector<const float*> pointers;
  for (const Tensor& v : values) pointers.push_back(v.data<float>());
  metric.accumulate(pointers);
  return metric.result();
}

/// Rows [begin, end) of every tensor of `b`.
Batch rows(const Batch& b, int64_t begin, int64_t end) {
  const auto cut = [&](const Tensor& t) {
    if (!t.defined()) return t;
    std::vector<int64_t> start(t.rank(), 0), size(t.rank(), -1);
    start[0] = begin;
    size[0] = end - begin;
    return slice(t, start, size);
  };
  return {cut(b.y_true), cut(b.y_pred), cut(b.sample_weight)};
}

/// `metric` on `all` split into batches at `cuts` (in a graph), and in one eager batch.
void check_value(const std::string& name, const Batch& all, double expected,
                 const std::vector<int64_t>& cuts, const Loss* loss = nullptr,
                 int64_t output_dim = 0) {
  CAPTURE(name);
  std::vector<Batch> batches;
  for (size_t i = 0; i + 1 < cuts.size(); ++i) batches.push_back(rows(all, cuts[i], cuts[i + 1]));
  const MetricPtr metric = get_metric(name, loss, output_dim);
  CHECK(run_in_graph(*metric, batches) == doctest::Approx(expected).epsilon(1e-6));
  CHECK(run_eager(*metric, all) == doctest::Approx(expected).epsilon(1e-6));
}

const std::vector<double> kAucTrue = {1, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 1, 1, 0, 1, 0};
const std::vector<double> kAucPred = {0.91, 0.12, 0.45, 0.77, 0.53, 0.08, 0.66, 0.41,
                                      0.29, 0.35, 0.72, 0.88, 0.5,  0.19, 0.62, 0.97};
const std::vector<double> kAucWeights = {1.0, 0.5, 2.0, 1.0, 1.5, 1.0, 0.25, 1.0,
                                         3.0, 1.0, 0.5, 1.0, 1.0, 2.0, 1.0,  0.75};

Tensor column(const std::vector<double>& v) {
  return cast(Tensor::from_vector(v, {static_cast<int64_t>(v.size())}), DType::Float32);
}

}  // namespace

TEST_CASE("accuracies and errors summed over batches equal their value over all samples") {
  const Tensor labels = vector({0, 2, 1, 3, 2, 0}, DType::Int64);
  const Tensor onehot = one_hot(labels, 4);
  const Tensor probs = matrix({{0.6, 0.2, 0.1, 0.1},
                               {0.1, 0.5, 0.3, 0.1},
                               {0.2, 0.3, 0.4, 0.1},
                               {0.1, 0.2, 0.3, 0.4},
                               {0.25, 0.25, 0.25, 0.25},
                               {0.1, 0.1, 0.1, 0.7}});
  const Tensor w6 = vector({1, 1, 2, 1, 1, 0.5});
  const std::vector<int64_t> cuts = {0, 2, 5, 6};
  check_value("categorical_accuracy", {onehot, probs, Tensor()}, 2.0 / 6, cuts);
  check_value("categorical_accuracy", {onehot, probs, w6}, 2.0 / 6.5, cuts);
  check_value("sparse_categorical_accuracy", {labels, probs, Tensor()}, 2.0 / 6, cuts);
  check_value("sparse_categorical_accuracy", {labels, probs, w6}, 2.0 / 6.5, cuts);
  // k = 5 is clamped to the 4 classes: every label is in the top 4.
  check_value("top_k_categorical_accuracy", {onehot, probs, Tensor()}, 1.0, cuts);

  const Tensor bin_true = matrix({{1}, {0}, {1}, {1}, {0}, {0}});
  const Tensor bin_pred = matrix({{0.9}, {0.2}, {0.4}, {0.6}, {0.7}, {0.5}});
  check_value("binary_accuracy", {bin_true, bin_pred, Tensor()}, 4.0 / 6, cuts);
  check_value("binary_accuracy", {bin_true, bin_pred, vector({1, 2, 1, 0.5, 1, 3})}, 6.5 / 8.5,
              cuts);

  // Weighted means divide by the sum of weights (not the batch size, as losses do).
  const LossCase reg = loss_cases(DType::Float32).front();
  check_value("mse", {reg.y_true, reg.y_pred, Tensor()}, 1.46, {0, 1, 3});
  check_value("mse", {reg.y_true, reg.y_pred, reg.sample_weight}, 4.6925 / 3.5, {0, 1, 3});
  check_value("mean_absolute_error", {reg.y_true, reg.y_pred, reg.sample_weight},
              (0.375 + 1.5 + 1.3) / 3.5, {0, 2, 3});
}

TEST_CASE("AUC, precision and recall equal Keras 3's values on the same batches") {
  const Batch plain = {column(kAucTrue), column(kAucPred), Tensor()};
  const Batch weighted = {column(kAucTrue), column(kAucPred), column(kAucWeights)};
  const std::vector<int64_t> cuts = {0, 5, 11, 16};  // as the reference script feeds Keras
  check_value("auc", plain, 0.71875, cuts);
  check_value("auc", weighted, 0.68883961566888396, cuts);
  check_value("precision", plain, 0.625, cuts);
  check_value("precision", weighted, 0.6071428571428571, cuts);
  check_value("recall", plain, 0.625, cuts);
  check_value("recall", weighted, 0.41463414634146339, cuts);
  // Predictions [N, 1] against labels [N] are the same data.
  check_value("AUC", {column(kAucTrue), reshape(column(kAucPred), {16, 1}), Tensor()}, 0.71875,
              cuts);
  CHECK_THROWS_AS(AUC(1), ValueError);
}

TEST_CASE("top-k accuracy counts ties with the k-th as in the top k") {
  const Tensor onehot =
      matrix({{0, 0, 0, 0, 0, 1, 0}, {0, 0, 0, 0, 1, 0, 0}, {1, 0, 0, 0, 0, 0, 0}});
  const Tensor pred = matrix({{7, 6, 5, 4, 3, 2, 1}, {7, 6, 5, 4, 3, 2, 1}, {1, 1, 1, 1, 1, 1, 1}});
  // The label ranks 6th, 5th, and tied with everything.
  check_value("top_k_categorical_accuracy", {onehot, pred, Tensor()}, 2.0 / 3, {0, 1, 3});
}

TEST_CASE("sparse accuracy takes labels [N] or [N, 1], integer or float") {
  const Tensor probs = matrix({{0.1, 0.9}, {0.8, 0.2}, {0.3, 0.7}});
  for (const Tensor& labels : {vector({1, 1, 1}, DType::Int32), vector({1, 1, 1}),
                               matrix({{1}, {1}, {1}}, DType::Int64), matrix({{1}, {1}, {1}})})
    check_value("sparse_categorical_accuracy", {labels, probs, Tensor()}, 2.0 / 3, {0, 3});
}

TEST_CASE("\"accuracy\" resolves as Keras 3 does, from the loss and the output size") {
  const LossPtr bce = get_loss("binary_crossentropy"), cce = get_loss("categorical_crossentropy");
  const LossPtr scce = get_loss("sparse_categorical_crossentropy");
  // Binary: 0.7 > 0.5 is right, 0.6 > 0.5 is wrong. Categorical on one column would say 1.
  const Batch binary = {matrix({{1}, {0}}), matrix({{0.7}, {0.6}}), Tensor()};
  check_value("accuracy", binary, 0.5, {0, 2}, nullptr, 1);
  check_value("acc", binary, 0.5, {0, 2}, scce.get(), 1);
  const Batch sparse = {vector({2, 0}), matrix({{0.1, 0.2, 0.7}, {0.5, 0.3, 0.2}}), Tensor()};
  check_value("accuracy", sparse, 1.0, {0, 2}, scce.get(), 3);
  const Batch categorical = {matrix({{0, 0, 1}, {0, 1, 0}}), sparse.y_pred, Tensor()};
  check_value("Accuracy", categorical, 0.5, {0, 2}, cce.get(), 3);
  check_value("acc", categorical, 0.5, {0, 2}, nullptr, 3);
  // A binary loss means binary accuracy, element-wise over several outputs.
  check_value("accuracy", {matrix({{1, 0}, {1, 1}}), matrix({{0.9, 0.2}, {0.1, 0.8}}), Tensor()},
              0.75, {0, 2}, bce.get(), 2);
  CHECK(get_metric("acc", cce.get(), 3)->name() == "acc");
  CHECK(get_metric("acc", cce.get(), 3)->get_config() == "acc");
}

TEST_CASE("metrics by name; unknown names suggest the nearest one") {
  for (const std::string& name : metric_names())
    CHECK(get_metric(name, nullptr, 3)->name() == name);
  CHECK_THROWS_WITH_AS(get_metric("acuracy"), doctest::Contains("did you mean 'accuracy'"),
                       NotFoundError);
  CHECK_THROWS_WITH_AS(get_metric("precison"), doctest::Contains("did you mean 'precision'"),
                       NotFoundError);
  MetricPtr m = get_metric("mae");
  run_eager(*m, {vector({1, 2}), vector({2, 2}), Tensor()});
  CHECK(m->result() == doctest::Approx(0.5));
  m->reset();
  CHECK(m->result() == 0.0);
}
