// Activation: applies an activation function as a layer of its own.
#pragma once

#include "layers/activations.h"
#include "layers/layer.h"

namespace nabla {

/// Keras's Activation layer: `Activation("relu")` applies relu to its input; no weights.
class Activation : public LayerOf<Activation> {
 public:
  explicit Activation(ActivationFn activation, std::string name = "")
      : LayerOf(std::move(name)), activation_(std::move(activation)) {}
  std::string class_name() const override { return "Activation"; }
  Tensor call(const Tensor& x, CallContext&) override { return activation_(x); }
  nlohmann::json get_config() const override;
  static LayerPtr from_config(const nlohmann::json& config);
  int keras_major() const override { return activation_.keras_major(); }
  const ActivationFn& activation() const { return activation_; }

 private:
  ActivationFn activation_;
};

/// Keras's LeakyReLU layer: x for x > 0, negative_slope * x otherwise (default slope 0.3).
class LeakyReLU : public LayerOf<LeakyReLU> {
 public:
  explicit LeakyReLU(double negative_slope = 0.3, std::string name = "")
      : LayerOf(std::move(name)), slope_(negative_slope) {}
  std::string class_name() const override { return "LeakyReLU"; }
  Tensor call(const Tensor& x, CallContext&) override;
  nlohmann::json get_config() const override;
  static LayerPtr from_config(const nlohmann::json& config);

 private:
  double slope_;
};

}  // namespace nabla
