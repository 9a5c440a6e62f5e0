// BatchNormalization and LayerNormalization.
#pragma once

#include "framework/core/options.h"
#include "layers/layer.h"

namespace nabla {

/// Arguments of BatchNormalization, as in Keras.
struct BatchNormalizationOptions {
  /// The feature axis (normalised per feature; statistics over all other axes).
  NABLA_ARG(int64_t, axis) = -1;
  NABLA_ARG(double, momentum) = 0.99;
  NABLA_ARG(double, epsilon) = 1e-3;
  /// Add the learned offset beta.
  NABLA_ARG(bool, center) = true;
  /// Multiply by the learned scale gamma.
  NABLA_ARG(bool, scale) = true;
  NABLA_ARG(Initializer, beta_initializer) = Initializer("zeros");
  NABLA_ARG(Initializer, gamma_initializer) = Initializer("ones");
  NABLA_ARG(Initializer, moving_mean_initializer) = Initializer("zeros");
  NABLA_ARG(Initializer, moving_variance_initializer) = Initializer("ones");
  /// In data-parallel training, normalise with the statistics of the global batch (sums
  /// all-reduced across the ranks in the forward pass, and their gradients in the backward pass)
  /// instead of each rank's own rows, as Keras's synchronized=True. Off by default, as in Keras:
  /// per-rank statistics need no communication, and with enough rows per rank they serve as
  /// well. No effect when training alone.
  NABLA_ARG(bool, synchronized) = false;
};

/// Keras's BatchNormalization. In training it normalises with the batch's mean and (biased)
/// variance and updates moving_mean and moving_variance:
///     moving = moving * momentum + batch_statistic * (1 - momentum);
/// at inference it uses the moving statistics. y = gamma (x - mean) / sqrt(var + epsilon) + beta.
/// Weights: gamma, beta (trainable), moving_mean, moving_variance (not trainable).
///
/// In data-parallel training the batch statistics are each rank's own (the default; the moving
/// statistics then differ between ranks and fit() averages them at the end of each epoch, as
/// Keras's on-read aggregation does), or the global batch's with `synchronized`.
class BatchNormalization : public LayerOf<BatchNormalization> {
 public:
  explicit BatchNormalization(BatchNormalizationOptions options = {}, std::string name = "");
  std::string class_name() const override { return "BatchNormalization"; }
  void build(const Shape& input_shape) override;
  Tensor call(const Tensor& x, CallContext& ctx) override;
  nlohmann::json get_config() const override;
  static LayerPtr from_config(const nlohmann::json& config);
  const BatchNormalizationOptions& options() const { return o_; }

 private:
  void update_moving(const Tensor& mean, const Tensor& var, const Tensor& has_rows,
                     CallContext& ctx);
  BatchNormalizationOptions o_;
  Variable gamma_, beta_, moving_mean_, moving_variance_;
};

/// Arguments of LayerNormalization, as in Keras.
struct LayerNormalizationOptions {
  NABLA_ARG(int64_t, axis) = -1;
  NABLA_ARG(double, epsilon) = 1e-3;
  NABLA_ARG(bool, center) = true;
  NABLA_ARG(bool, scale) = true;
  NABLA_ARG(Initializer, beta_initializer) = Initializer("zeros");
  NABLA_ARG(Initializer, gamma_initializer) = Initializer("ones");
};

/// Keras's LayerNormalization: each sample normalised over the last axis with its own mean and
/// variance, then y = gamma (x - mean) / sqrt(var + epsilon) + beta. Same in training and at
/// inference.
class LayerNormalization : public LayerOf<LayerNormalization> {
 public:
  explicit LayerNormalization(LayerNormalizationOptions options = {}, std::string name = "");
  std::string class_name() const override { return "LayerNormalization"; }
  void build(const Shape& input_shape) override;
  Tensor call(const Tensor& x, CallContext& ctx) override;
  nlohmann::json get_config() const override;
  static LayerPtr from_config(const nlohmann::json& config);

 private:
  LayerNormalizationOptions o_;
  Variable gamma_, beta_;
};

}  // namespace nabla
