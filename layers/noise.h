// Regularization layers that add noise in training and pass their input through at inference:
// GaussianNoise, GaussianDropout, AlphaDropout.
#pragma once

#include <cstdint>

#include "layers/layer.h"

namespace nabla {

/// Keras's GaussianNoise: in training x + N(0, stddev²) noise; at inference x. As with Dropout,
/// the noise is a function of (seed, training step), so a resumed run draws what an
/// uninterrupted one would; a seed of 0 draws one from the global sequence (set_seed), and the
/// seed in use is written into the config.
class GaussianNoise : public LayerOf<GaussianNoise> {
 public:
  explicit GaussianNoise(double stddev, uint64_t seed = 0, std::string name = "");
  std::string class_name() const override { return "GaussianNoise"; }
  Tensor call(const Tensor& x, CallContext& ctx) override;
  nlohmann::json get_config() const override;
  static LayerPtr from_config(const nlohmann::json& config);
  double stddev() const { return stddev_; }

 private:
  double stddev_;
  uint64_t seed_;
};

/// Keras's GaussianDropout: in training x times N(1, rate / (1 - rate)) noise; at inference x.
/// Seeds as GaussianNoise's.
class GaussianDropout : public LayerOf<GaussianDropout> {
 public:
  explicit GaussianDropout(double rate, uint64_t seed = 0, std::string name = "");
  std::string class_name() const override { return "GaussianDropout"; }
  Tensor call(const Tensor& x, CallContext& ctx) override;
  nlohmann::json get_config() const override;
  static LayerPtr from_config(const nlohmann::json& config);
  double rate() const { return rate_; }

 private:
  double rate_;
  uint64_t seed_;
};

/// Keras's AlphaDropout, for SELU networks: in training each element is set with probability
/// `rate` to SELU's negative saturation -alpha * scale, then a * x + b restores the mean and
/// variance, with a = ((1 - rate)(1 + rate * alpha_p²))^-1/2 and b = -a * alpha_p * rate
/// (Keras's formula, alpha_p = -alpha * scale); at inference x. Seeds as GaussianNoise's.
class AlphaDropout : public LayerOf<AlphaDropout> {
 public:
  explicit AlphaDropout(double rate, uint64_t seed = 0, std::string name = "");
  std::string class_name() const override { return "AlphaDropout"; }
  Tensor call(const Tensor& x, CallContext& ctx) override;
  nlohmann::json get_config() const override;
  static LayerPtr from_config(const nlohmann::json& config);
  double rate() const { return rate_; }

 private:
  double rate_;
  uint64_t seed_;
};

}  // namespace nabla
