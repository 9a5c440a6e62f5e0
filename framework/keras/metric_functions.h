// The per-sample functions behind Keras's mean metrics (accuracy and its variants, mse, mae). Each
// returns one float32 value per sample (shape [batch]); MeanMetricWrapper averages them.
#pragma once

#include <cstdint>

#include "framework/core/tensor.h"

namespace nabla::metric_functions {

/// 1 where (y_pred > threshold) equals y_true, averaged over the last axis when it is longer
/// than 1. Labels are 0/1 of any numeric dtype, shaped like y_pred or without its trailing 1.
Tensor binary_accuracy(const Tensor& y_true, const Tensor& y_pred, double threshold = 0.5);

/// 1 where argmax(y_pred) equals argmax(y_true) (one-hot labels; ties take the first index).
Tensor categorical_accuracy(const Tensor& y_true, const Tensor& y_pred);

/// 1 where argmax(y_pred) equals the class index y_true: labels [N] or [N, 1], integer or
/// float (compared as numbers, as Keras does).
Tensor sparse_categorical_accuracy(const Tensor& y_true, const Tensor& y_pred);

/// 1 where the labelled class (argmax of one-hot y_true) is among the `k` highest predictions.
/// As tf.math.in_top_k, classes tied with the k-th are in the top k; k is clamped to the number
/// of classes.
Tensor top_k_categorical_accuracy(const Tensor& y_true, const Tensor& y_pred, int64_t k = 5);

/// mean((y_true - y_pred)^2) over the last axis, as the loss of that name.
Tensor mean_squared_error(const Tensor& y_true, const Tensor& y_pred);

/// mean(|y_true - y_pred|) over the last axis, as the loss of that name.
Tensor mean_absolute_error(const Tensor& y_true, const Tensor& y_pred);

}  // namespace nabla::metric_functions
