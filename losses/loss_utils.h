// Helpers shared by the losses and metrics: the shape and dtype alignment Keras applies before
// each loss function, the recovery of logits behind a softmax or sigmoid, and config parsing.
// Internal to losses/ and framework/keras/.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <utility>

#include "framework/core/tensor.h"
#include "framework/ops/op_table.h"

namespace nabla::loss_utils {

/// keras.backend.epsilon(): probabilities are clipped to [kEpsilon, 1 - kEpsilon] before a log.
constexpr double kEpsilon = 1e-7;

/// Keras's squeeze_or_expand_to_same_rank: when the ranks differ by one and the longer one ends
/// in a 1, that axis is squeezed, or the rank-1 tensor is expanded when `expand_rank_1`.
std::pair<Tensor, Tensor> squeeze_or_expand_to_same_rank(const Tensor& x1, const Tensor& x2,
                                                         bool expand_rank_1 = true);

/// y_true cast to y_pred's dtype and both brought to the same rank, as Keras's
/// LossFunctionWrapper does before calling a loss function.
std::pair<Tensor, Tensor> align(const Tensor& y_true, const Tensor& y_pred);

/// The input of the `op` node ("Softmax" or "Sigmoid") that produced the symbolic `y_pred`, when
/// there is one acting along `axis`; an undefined tensor otherwise (eager tensors included).
/// Cross-entropies take logits from there, so a saturated softmax or sigmoid never reaches a log.
Tensor logits_behind(const Tensor& y_pred, OpId op, int axis = -1);

/// Probabilities clipped to [kEpsilon, 1 - kEpsilon].
Tensor clip_probabilities(const Tensor& p);

/// Throws ShapeError naming `loss` unless `a` and `b` have the same rank and compatible
/// dimensions (-1 matches anything).
void check_same_shape(const std::string& loss, const Tensor& a, const Tensor& b);

/// Per-sample weights in `values`' dtype, with trailing axes added (or a trailing 1 squeezed) so
/// that they broadcast against `values` sample by sample.
Tensor weights_like(const Tensor& sample_weight, const Tensor& values);

/// The "name" of a loss config (or `fallback`), after checking the reduction is one nabla
/// computes ("sum_over_batch_size", or its synonym "mean").
std::string name_from_config(const nlohmann::json& config, const std::string& fallback);

}  // namespace nabla::loss_utils
