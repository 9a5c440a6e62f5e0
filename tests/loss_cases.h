// Reference cases of the loss tests: each loss on small labelled data, with the expected value
// with and without sample weights. The numbers come from scripts/keras/loss_metric_reference.py
// (plain float64 math, cross-checked there against Keras 3).
#pragma once

#include <initializer_list>
#include <string>
#include <vector>

#include "framework/nabla.h"
#include "losses/loss.h"

namespace nabla::testing {

/// A rank-2 tensor from rows.
Tensor matrix(std::initializer_list<std::initializer_list<double>> rows,
              DType dtype = DType::Float32);
/// A rank-1 tensor.
Tensor vector(std::initializer_list<double> values, DType dtype = DType::Float32);

struct LossCase {
  std::string label;
  LossPtr loss;
  Tensor y_true, y_pred, sample_weight;
  /// loss(y_true, y_pred) and loss(y_true, y_pred, sample_weight).
  double expected, expected_weighted;
};

/// Every loss, from_logits both ways, label smoothing on and off. Floating inputs have `dtype`
/// (sparse labels stay int64).
std::vector<LossCase> loss_cases(DType dtype);

/// The shape of `t` with the batch (first axis) left to run time, for a placeholder.
Shape run_time_batch(const Tensor& t);

/// max |a - b| / max(1, |b|) over all elements, as a double (infinity on a shape mismatch).
double max_abs_rel_diff(const Tensor& a, const Tensor& b);

}  // namespace nabla::testing
