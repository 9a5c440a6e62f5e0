// Normalization: standardizes features with a mean and variance given or computed from data.
#pragma once

#include <vector>

#include "framework/core/options.h"
#include "layers/layer.h"

namespace nabla {

/// Arguments of Normalization, as in Keras.
struct NormalizationOptions {
  /// The axes kept: one mean and variance per index along them (-1: per feature of the last
  /// axis); empty for one mean and variance over everything (Keras's axis=None).
  NABLA_ARG(std::vector<int64_t>, axis) = {-1};
  /// Given statistics (eager tensors: scalars, or shaped like the kept axes, aligned from the
  /// right). Without them the layer has weights, set by adapt() or loaded from a file.
  NABLA_ARG(Tensor, mean) = Tensor();
  NABLA_ARG(Tensor, variance) = Tensor();
  /// Undo the normalization instead: mean + x * sqrt(variance).
  NABLA_ARG(bool, invert) = false;
};

/// Keras's Normalization: (x - mean) / max(sqrt(variance), 1e-7), with a mean and variance per
/// index of the kept axes. The statistics are either given (then they are part of the config and
/// the layer has no weights, as in Keras) or the layer's non-trainable weights "mean",
/// "variance" (the kept axes' shape) and "count" (an int64 scalar), in that order, which adapt()
/// computes from data:
///
///     Normalization norm;
///     norm.adapt(x_train);                  // mean and variance over all but the last axis
///     Sequential model({Input({4}), norm, Dense(1)});
class Normalization : public LayerOf<Normalization> {
 public:
  explicit Normalization(NormalizationOptions options = {}, std::string name = "");
  std::string class_name() const override { return "Normalization"; }
  void build(const Shape& input_shape) override;
  Tensor call(const Tensor& x, CallContext& ctx) override;
  nlohmann::json get_config() const override;
  static LayerPtr from_config(const nlohmann::json& config);

  /// Sets the mean and (biased) variance over every axis but the kept ones, from `data` (an
  /// eager tensor of samples), and count to the number of values each statistic is over. Builds
  /// the layer for data's shape if it is not built; else data must fit the built shape on the
  /// kept axes (a ShapeError naming the layer and both shapes otherwise).
  void adapt(const Tensor& data);
  /// The mean and variance in use, shaped to broadcast against inputs (valid once built).
  Tensor mean() const;
  Tensor variance() const;

 private:
  std::vector<int> kept_axes(int rank) const;
  NormalizationOptions o_;
  std::vector<int> keep_;               // the kept axes, sorted, from 0
  Shape broadcast_shape_;               // the input's rank: the kept dimensions, 1 elsewhere
  Tensor given_mean_, given_variance_;  // broadcast_shape_, float32, when given
  Variable mean_, variance_, count_;
};

}  // namespace nabla
