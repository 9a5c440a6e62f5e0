// ActivityRegularization: passes its input through and adds a penalty on it to the loss.
#pragma once

#include "layers/layer.h"

namespace nabla {

/// Keras's ActivityRegularization: the output is the input; in training the penalty
/// (l1 * sum|x| + l2 * sum x²) / batch size joins the loss (CallContext::losses), as Keras's
/// activity regularizers do. No weights.
class ActivityRegularization : public LayerOf<ActivityRegularization> {
 public:
  explicit ActivityRegularization(double l1 = 0.0, double l2 = 0.0, std::string name = "");
  std::string class_name() const override { return "ActivityRegularization"; }
  Tensor call(const Tensor& x, CallContext& ctx) override;
  nlohmann::json get_config() const override;
  static LayerPtr from_config(const nlohmann::json& config);
  double l1() const { return l1_; }
  double l2() const { return l2_; }

 private:
  double l1_, l2_;
};

}  // namespace nabla
