#include "loss_cases.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "losses/binary_crossentropy.h"
#include "losses/categorical_crossentropy.h"
#include "losses/huber.h"
#include "losses/sparse_categorical_crossentropy.h"

namespace nabla::testing {

Tensor matrix(std::initializer_list<std::initializer_list<double>> rows, DType dtype) {
  std::vector<double> values;
  for (const auto& row : rows) values.insert(values.end(), row.begin(), row.end());
  const int64_t n = static_cast<int64_t>(rows.size());
  return cast(Tensor::from_vector(values, {n, static_cast<int64_t>(values.size()) / n}), dtype);
}

Tensor vector(std::initializer_list<double> values, DType dtype) {
  const std::vector<double> v(values);
  return cast(Tensor::from_vector(v, {static_cast<int64_t>(v.size())}), dtype);
}

std::vector<LossCase> loss_cases(DType dt) {
  const Tensor reg_true = matrix({{1.0, -2.0}, {0.5, 3.0}, {0.2, 1.5}}, dt);
  const Tensor reg_pred = matrix({{1.5, -1.0}, {0.0, 2.0}, {0.3, 4.0}}, dt);
  const Tensor w3 = vector({0.5, 2.0, 1.0}, dt), w2 = vector({0.25, 1.5}, dt);
  const Tensor hinge_pred = matrix({{0.3, -0.8}, {1.2, 0.4}, {-0.5, 2.0}}, dt);
  const Tensor kl_true = matrix({{0.2, 0.8, 0.0}, {0.5, 0.25, 0.25}}, dt);
  const Tensor kl_pred = matrix({{0.3, 0.6, 0.1}, {0.4, 0.4, 0.2}}, dt);
  const Tensor bce_true = matrix({{0, 1, 1}, {1, 0, 0}}, dt);
  const Tensor bce_logits = matrix({{-1.2, 0.3, 2.0}, {0.7, -0.4, -2.5}}, dt);
  const Tensor bce_probs = matrix({{0.2, 0.6, 0.9}, {0.7, 0.4, 0.1}}, dt);
  const Tensor cce_true = matrix({{0, 0, 1, 0}, {1, 0, 0, 0}, {0, 0, 0, 1}}, dt);
  const Tensor sparse_true = vector({2, 0, 3}, DType::Int64);
  const Tensor cce_logits =
      matrix({{1.0, -0.5, 2.0, 0.1}, {0.3, 0.3, -1.0, 1.2}, {-2.0, 0.5, 0.0, 1.0}}, dt);
  const Tensor cce_probs =
      matrix({{0.1, 0.2, 0.6, 0.1}, {0.5, 0.3, 0.1, 0.1}, {0.25, 0.25, 0.25, 0.25}}, dt);
  const auto xent = [](bool from_logits, double ls) {
    return CrossentropyOptions().from_logits(from_logits).label_smoothing(ls);
  };
  const auto sparse = [](bool from_logits) {
    return SparseCategoricalCrossentropyOptions().from_logits(from_logits);
  };
  using std::make_shared;
  return {
      {"mse", get_loss("mse"), reg_true, reg_pred, w3, 1.46, 1.5641666666666667},
      {"mae", get_loss("mae"), reg_true, reg_pred, w3, 0.93333333333333324, 1.0583333333333333},
      {"mape", get_loss("mape"), reg_true, reg_pred, w3, 75.0, 88.888888888888872},
      {"huber", get_loss("huber"), reg_true, reg_pred, w3, 0.5425, 0.59458333333333335},
      {"huber delta 0.7", make_shared<Huber>(HuberOptions().delta(0.7)), reg_true, reg_pred, w3,
       0.445, 0.49333333333333335},
      {"log_cosh", get_loss("log_cosh"), reg_true, reg_pred, w3, 0.48772508860557134,
       0.53388303339234666},
      {"hinge 0/1", get_loss("hinge"), matrix({{0, 1}, {1, 1}, {0, 0}}, dt), hinge_pred, w3, 1.2,
       1.0416666666666667},
      {"hinge -1/1", get_loss("hinge"), matrix({{-1, 1}, {1, -1}, {-1, 1}}, dt), hinge_pred, w3,
       0.83333333333333337, 0.80833333333333324},
      {"kl_divergence", get_loss("kld"), kl_true, kl_pred, w2, 0.099454005481479812,
       0.056023973979259595},
      {"bce logits", make_shared<BinaryCrossentropy>(xent(true, 0)), bce_true, bce_logits, w2,
       0.32327612640458181, 0.28812966401322049},
      {"bce logits ls 0.2", make_shared<BinaryCrossentropy>(xent(true, 0.2)), bce_true, bce_logits,
       w2, 0.4416094597379151, 0.39271299734655385},
      {"bce probs", make_shared<BinaryCrossentropy>(xent(false, 0)), bce_true, bce_probs, w2,
       0.30203179568342942, 0.27818734128805517},
      {"bce probs ls 0.2", make_shared<BinaryCrossentropy>(xent(false, 0.2)), bce_true, bce_probs,
       w2, 0.42601465555669366, 0.38105779679452928},
      {"cce logits", make_shared<CategoricalCrossentropy>(xent(true, 0)), cce_true, cce_logits, w3,
       0.90975378849457977, 1.3495939819467109},
      {"cce logits ls 0.1", make_shared<CategoricalCrossentropy>(xent(true, 0.1)), cce_true,
       cce_logits, w3, 0.99558712182791309, 1.4162606486133775},
      {"cce probs", make_shared<CategoricalCrossentropy>(xent(false, 0)), cce_true, cce_probs, w3,
       0.86342238848194219, 1.0093338447075924},
      {"cce probs ls 0.1", make_shared<CategoricalCrossentropy>(xent(false, 0.1)), cce_true,
       cce_probs, w3, 0.93352099411326217, 1.0910044156311798},
      {"scce logits", make_shared<SparseCategoricalCrossentropy>(sparse(true)), sparse_true,
       cce_logits, w3, 0.90975378849457977, 1.3495939819467109},
      {"scce probs", make_shared<SparseCategoricalCrossentropy>(sparse(false)), sparse_true,
       cce_probs, w3, 0.86342238848194219, 1.0093338447075924},
  };
}

Shape run_time_batch(const Tensor& t) {
  Shape s = t.shape();
  s[0] = -1;
  return s;
}

double max_abs_rel_diff(const Tensor& a, const Tensor& b) {
  if (a.shape() != b.shape()) return std::numeric_limits<double>::infinity();
  double worst = 0;
  for (int64_t i = 0; i < a.numel(); ++i) {
    const double d = std::abs(a.at(i) - b.at(i)) / std::max(1.0, std::abs(b.at(i)));
    if (!(d <= worst)) worst = d;  // NaN propagates
  }
  return worst;
}

}  // namespace nabla::testing
