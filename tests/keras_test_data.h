// Small data sets generated in the tests (XOR, a linear function, a 3-class spiral).
#pragma once

#include <algorithm>
#include <cmath>
#include <utility>

#include "framework/nabla.h"

namespace nabla::testing {

inline std::pair<Tensor, Tensor> xor_data() {
  return {Tensor({0.f, 0.f, 0.f, 1.f, 1.f, 0.f, 1.f, 1.f}, {4, 2}),
          Tensor({0.f, 1.f, 1.f, 0.f}, {4, 1})};
}

/// Three interleaved spiral arms, `per_class` points each, labels 0..2 (sparse).
inline std::pair<Tensor, Tensor> spiral_data(int per_class = 100, uint64_t seed = 1) {
  const int n = 3 * per_class;
  Tensor x = Tensor::empty({n, 2});
  Tensor y = Tensor::empty({n}, DType::Int32);
  Tensor noise = Tensor::random_normal({n}, 0, 0.2, seed);
  for (int c = 0; c < 3; ++c)
    for (int i = 0; i < per_class; ++i) {
      const int k = c * per_class + i;
      const double r = static_cast<double>(i) / per_class;
      const double t = c * 4.0 + 4.0 * r + noise.at(k);
      x.data<float>()[2 * k] = static_cast<float>(r * std::sin(t));
      x.data<float>()[2 * k + 1] = static_cast<float>(r * std::cos(t));
      y.data<int32_t>()[k] = c;
    }
  return {x, y};
}

/// Fraction of rows where argmax(predictions) equals the label.
inline double sparse_accuracy(const Tensor& predictions, const Tensor& labels) {
  const int64_t n = predictions.shape()[0], c = predictions.shape()[1];
  int correct = 0;
  for (int64_t i = 0; i < n; ++i) {
    int64_t best = 0;
    for (int64_t j = 1; j < c; ++j)
      if (predictions.at(i * c + j) > predictions.at(i * c + best)) best = j;
    correct += best == static_cast<int64_t>(labels.at(i));
  }
  return static_cast<double>(correct) / static_cast<double>(n);
}

/// Largest |a - b| over two tensors of one shape (infinity when the shapes differ).
inline double max_abs_diff(const Tensor& a, const Tensor& b) {
  if (a.shape() != b.shape()) return INFINITY;
  double worst = 0;
  for (int64_t i = 0; i < a.numel(); ++i) worst = std::max(worst, std::fabs(a.at(i) - b.at(i)));
  return worst;
}

/// Largest |a - b| over two lists of tensors.
inline double max_abs_diff(const TensorList& a, const TensorList& b) {
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i)
    for (int64_t j = 0; j < a[i].numel(); ++j)
      worst = std::max(worst, std::fabs(a[i].at(j) - b[i].at(j)));
  return worst;
}

}  // namespace nabla::testing
