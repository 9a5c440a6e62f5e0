// Rescaling: x * scale + offset.
#pragma once

#include <vector>

#include "layers/layer.h"

namespace nabla {

/// Keras's Rescaling: x * scale + offset, e.g. Rescaling(1.0 / 255) for pixels. Scale and offset
/// are numbers, or lists broadcast against the last axis (one value per channel). No weights.
class Rescaling : public LayerOf<Rescaling> {
 public:
  explicit Rescaling(double scale, double offset = 0.0, std::string name = "");
  /// Per-channel scale and offset (a list of one value acts as a number).
  Rescaling(std::vector<double> scale, std::vector<double> offset, std::string name = "");
  std::string class_name() const override { return "Rescaling"; }
  void build(const Shape& input_shape) override;
  Tensor call(const Tensor& x, CallContext& ctx) override;
  nlohmann::json get_config() const override;
  static LayerPtr from_config(const nlohmann::json& config);

 private:
  std::vector<double> scale_, offset_;
  bool scale_list_, offset_list_;  // written back as lists, as they were given
};

}  // namespace nabla
