// UnitNormalization: scales each sample to unit L2 norm.
#pragma once

#include <vector>

#include "layers/layer.h"

namespace nabla {

/// Keras's UnitNormalization: x / ||x||, the L2 norm taken over `axis` (one axis or several),
/// with the squared norm floored at 1e-24 (Keras's epsilon 1e-12, squared) so that a zero vector
/// gives zeros rather than NaN. No weights.
///
///     UnitNormalization()            // over the last axis
///     UnitNormalization({1, 2})      // over axes 1 and 2
class UnitNormalization : public LayerOf<UnitNormalization> {
 public:
  explicit UnitNormalization(int64_t axis = -1, std::string name = "");
  explicit UnitNormalization(std::vector<int64_t> axes, std::string name = "");
  std::string class_name() const override { return "UnitNormalization"; }
  void build(const Shape& input_shape) override;
  Tensor call(const Tensor& x, CallContext& ctx) override;
  nlohmann::json get_config() const override;
  static LayerPtr from_config(const nlohmann::json& config);

 private:
  std::vector<int> normalized_axes(int rank) const;
  std::vector<int64_t> axes_;
  bool list_;  // written back as a list, as it was given
};

}  // namespace nabla
