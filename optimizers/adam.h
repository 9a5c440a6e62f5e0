// Adam (and the arguments AdamW shares), as Keras 3's Adam.
#pragma once

#include <string>
#include <vector>

#include "optimizers/optimizer.h"

namespace nabla {

namespace detail {
class ConfigReader;
}

/// Adam's own arguments, with Keras 3's defaults.
struct AdamArgs {
  double beta_1 = 0.9;
  double beta_2 = 0.999;
  double epsilon = 1e-7;
  bool amsgrad = false;
};

/// The setters of AdamArgs, shared by AdamOptions and AdamWOptions.
template <class Self>
class AdamFamilyOptions : public CommonOptions<Self> {
 public:
  /// Decay rate of the running mean of the gradients (first moment).
  Self& beta_1(double beta) { return set(args_.beta_1, beta); }
  double beta_1() const { return args_.beta_1; }
  /// Decay rate of the running mean of the squared gradients (second moment).
  Self& beta_2(double beta) { return set(args_.beta_2, beta); }
  double beta_2() const { return args_.beta_2; }
  /// Added to the denominator's square root, for numerical stability.
  Self& epsilon(double eps) { return set(args_.epsilon, eps); }
  double epsilon() const { return args_.epsilon; }
  /// Divide by the largest second moment seen so far (AMSGrad) instead of the current one.
  Self& amsgrad(bool on) { return set(args_.amsgrad, on); }
  bool amsgrad() const { return args_.amsgrad; }
  /// All four at once.
  Self& adam_args(const AdamArgs& args) { return set(args_, args); }
  const AdamArgs& adam_args() const { return args_; }

 private:
  template <class T>
  Self& set(T& field, const T& value) {
    field = value;
    return static_cast<Self&>(*this);
  }
  AdamArgs args_;
};

/// Arguments of Adam: `Adam(AdamOptions(1e-3).beta_1(0.9).amsgrad(true).clipnorm(1.0))`.
class AdamOptions : public AdamFamilyOptions<AdamOptions> {
 public:
  explicit AdamOptions(double learning_rate = 0.001) { this->learning_rate(learning_rate); }
};

/// Adam (Keras 3's). Per element, at step t = iterations + 1, with learning rate lr:
///   alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)
///   m = m + (g - m) * (1 - beta_1)
///   v = v + (g^2 - v) * (1 - beta_2)
///   v_hat = max(v_hat, v)                                  (amsgrad only)
///   w = w - m * alpha / (sqrt(amsgrad ? v_hat : v) + epsilon)
/// Slots "momentum" (m), "velocity" (v) and, with amsgrad, "velocity_hat" (v_hat), initially
/// 0. With weight_decay, first w = w - w * weight_decay * lr.
class Adam : public Optimizer {
 public:
  explicit Adam(double learning_rate = 0.001);
  explicit Adam(const AdamOptions& options);

  std::string class_name() const override { return "Adam"; }
  /// base_config() plus "beta_1", "beta_2", "epsilon" and "amsgrad".
  nlohmann::json get_config() const override;
  /// From the "config" object of a Keras Adam config.
  static OptimizerPtr from_config(const nlohmann::json& config);
  /// The Adam arguments.
  const AdamArgs& adam_args() const { return args_; }

 protected:
  Adam(const std::string& name, const OptimizerOptions& common, const AdamArgs& args);
  /// Reads the Adam arguments of a config over `defaults`.
  static AdamArgs read_args(detail::ConfigReader& reader, const AdamArgs& defaults);
  std::vector<std::string> slot_names() const override;
  std::vector<std::vector<std::string>> keras_slot_groups() const override;
  Tensor update(const Variable& variable, const Tensor& grad, const VariableList& slots,
                const Tensor& lr, const Tensor& iterations) override;

 private:
  AdamArgs args_;
};

}  // namespace nabla
