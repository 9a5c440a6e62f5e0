// Precision, Recall and AUC: weighted confusion counts per batch, summed on the host.
#include "framework/keras/metrics.h"
#include "framework/ops/ops.h"
#include "losses/loss_utils.h"

namespace nabla {

namespace {

/// Predictions and the weights of the positive and the negative labels, all float32 and shaped
/// like the predictions. As Keras, a label is positive when it is non-zero, predictions and
/// labels are brought to one rank, and the counts are taken in float32.
struct Weighted {
  Tensor pred, positive, negative;
};

Weighted weigh(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight) {
  const auto [p, t] = loss_utils::squeeze_or_expand_to_same_rank(cast(y_pred, DType::Float32),
                                                                 cast(y_true, DType::Float32));
  Tensor weight = ones_like(p);
  if (sample_weight.defined()) weight = weight * loss_utils::weights_like(sample_weight, p);
  const Tensor is_positive = cast(not_equal(t, Tensor(0.0)), DType::Float32);
  return {p, is_positive * weight, (1.0 - is_positive) * weight};
}

/// The weighted counts of true positives, false positives and false negatives when predictions
/// above `threshold` count as positive.
TensorList counts_at(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight,
                     double threshold) {
  const Weighted w = weigh(y_true, y_pred, sample_weight);
  const Tensor predicted = cast(greater(w.pred, Tensor(threshold)), DType::Float32);
  return {reduce_sum(w.positive * predicted), reduce_sum(w.negative * predicted),
          reduce_sum(w.positive * (1.0 - predicted))};
}

double ratio(double num, double den) {
  return den != 0 ? num / den : 0.0;
}

}  // namespace

Precision::Precision(double threshold, std::string name)
    : Metric(std::move(name)), threshold_(threshold) {}

TensorList Precision::statistics(const Tensor& y_true, const Tensor& y_pred,
                                 const Tensor& sample_weight) const {
  const TensorList counts = counts_at(y_true, y_pred, sample_weight, threshold_);
  return {counts[0], counts[1]};
}

void Precision::accumulate(std::span<const float* const> stats) {
  tp_ += stats[0][0];
  fp_ += stats[1][0];
}

double Precision::result() const {
  return ratio(tp_, tp_ + fp_);
}

Recall::Recall(double threshold, std::string name)
    : Metric(std::move(name)), threshold_(threshold) {}

TensorList Recall::statistics(const Tensor& y_true, const Tensor& y_pred,
                              const Tensor& sample_weight) const {
  const TensorList counts = counts_at(y_true, y_pred, sample_weight, threshold_);
  return {counts[0], counts[2]};
}

void Recall::accumulate(std::span<const float* const> stats) {
  tp_ += stats[0][0];
  fn_ += stats[1][0];
}

double Recall::result() const {
  return ratio(tp_, tp_ + fn_);
}

AUC::AUC(int num_thresholds, std::string name) : Metric(std::move(name)) {
  if (num_thresholds <= 1)
    throw ValueError("AUC: num_thresholds must be an integer > 1, got " +
                     std::to_string(num_thresholds));
  // Keras: num_thresholds - 2 evenly spaced thresholds inside (0, 1), and end points just
  // outside [0, 1] so that predictions of exactly 0 and 1 fall on the right side.
  thresholds_.push_back(-loss_utils::kEpsilon);
  for (int i = 0; i < num_thresholds - 2; ++i)
    thresholds_.push_back((i + 1) * 1.0 / (num_thresholds - 1));
  thresholds_.push_back(1.0 + loss_utils::kEpsilon);
  reset();
}

TensorList AUC::statistics(const Tensor& y_true, const Tensor& y_pred,
                           const Tensor& sample_weight) const {
  const Weighted w = weigh(y_true, y_pred, sample_weight);
  const int n = static_cast<int>(thresholds_.size());
  // Keras counts a prediction p as positive at threshold j (evenly spaced thresholds) when its
  // bucket ceil(p (n - 1)) - 1 reaches j, i.e. when p (n - 1) > j; comparing the scaled
  // prediction with whole numbers reproduces Keras's float32 counts exactly, also for p on a
  // threshold. Edge 0 is below every clipped p, edge n - 1 above every one.
  std::vector<float> edges(n);
  for (int j = 0; j < n; ++j) edges[j] = static_cast<float>(j);
  edges[0] = -0.5f;
  const Tensor scaled = reshape(clip_by_value(w.pred, 0.0, 1.0), {-1, 1}) * (n - 1.0);
  const Tensor above = cast(greater(scaled, Tensor(edges, {1, n})), DType::Float32);
  const Tensor positive = reshape(w.positive, {-1, 1}), negative = reshape(w.negative, {-1, 1});
  const Tensor tp = reduce_sum(above * positive, {0}), fp = reduce_sum(above * negative, {0});
  return {tp, fp, reduce_sum(negative) - fp, reduce_sum(positive) - tp};
}

void AUC::accumulate(std::span<const float* const> stats) {
  for (size_t j = 0; j < thresholds_.size(); ++j) {
    tp_[j] += stats[0][j];
    fp_[j] += stats[1][j];
    tn_[j] += stats[2][j];
    fn_[j] += stats[3][j];
  }
}

double AUC::result() const {
  // ROC curve, trapezoidal rule: x = false-positive rate, y = recall, both falling with j.
  double area = 0;
  for (size_t j = 0; j + 1 < thresholds_.size(); ++j) {
    const double recall = ratio(tp_[j], tp_[j] + fn_[j]);
    const double next_recall = ratio(tp_[j + 1], tp_[j + 1] + fn_[j + 1]);
    const double fpr = ratio(fp_[j], fp_[j] + tn_[j]);
    const double next_fpr = ratio(fp_[j + 1], fp_[j + 1] + tn_[j + 1]);
    area += (fpr - next_fpr) * (recall + next_recall) / 2.0;
  }
  return area;
}

void AUC::reset() {
  const size_t n = thresholds_.size();
  tp_.assign(n, 0.0);
  fp_.assign(n, 0.0);
  tn_.assign(n, 0.0);
  fn_.assign(n, 0.0);
}

}  // namespace nabla
