// Dropout: zeroes a random fraction of its input in training.
#pragma once

#include <cstdint>

#include "layers/layer.h"

namespace nabla {

/// Keras's Dropout: in training, each element is zeroed with probability `rate` and the others
/// scaled by 1 / (1 - rate); at inference (evaluate, predict) it passes its input through. The
/// mask depends on (seed, training step), so a run resumed from a checkpoint draws the same masks
/// as an uninterrupted one. A seed of 0 takes the next seed of the global sequence (set_seed),
/// halved: Keras keeps seeds as int64, and the seed is written into the config.
class Dropout : public LayerOf<Dropout> {
 public:
  explicit Dropout(double rate, uint64_t seed = 0, std::string name = "");
  std::string class_name() const override { return "Dropout"; }
  Tensor call(const Tensor& x, CallContext& ctx) override;
  nlohmann::json get_config() const override;
  static LayerPtr from_config(const nlohmann::json& config);
  double rate() const { return rate_; }

 private:
  double rate_;
  uint64_t seed_;
};

/// Keras's Flatten: [batch, d1, d2, ...] -> [batch, d1 * d2 * ...].
class Flatten : public LayerOf<Flatten> {
 public:
  explicit Flatten(std::string name = "") : LayerOf(std::move(name)) {}
  std::string class_name() const override { return "Flatten"; }
  Tensor call(const Tensor& x, CallContext&) override;
  Shape compute_output_shape(const Shape& input_shape) const override;
  nlohmann::json get_config() const override;
  static LayerPtr from_config(const nlohmann::json& config);
};

}  // namespace nabla
