// Weight regularizers: l1, l2, l1_l2.
#pragma once

#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "framework/core/registry.h"
#include "framework/core/tensor.h"

namespace nabla {

/// A penalty added to the loss: l1 * sum(|w|) + l2 * sum(w^2). Users may subclass it (and
/// register a factory in RegularizerRegistry) for other penalties.
class Regularizer {
 public:
  Regularizer(double l1, double l2) : l1_(l1), l2_(l2) {}
  virtual ~Regularizer() = default;
  /// By name ("l1", "l2", "l1_l2", or one users registered) or Keras config {"class_name": "L2",
  /// "config": {"l2": 0.01}}; null gives nullptr.
  static std::shared_ptr<Regularizer> from_config(const nlohmann::json& config);

  /// The penalty of `weight` (a scalar).
  virtual Tensor operator()(const Tensor& weight) const;
  /// The Keras config: {"module", "class_name": "L1", "L2" or "L1L2", "config", ...}.
  virtual nlohmann::json get_config() const;
  double l1() const { return l1_; }
  double l2() const { return l2_; }

 private:
  double l1_, l2_;
};

using RegularizerPtr = std::shared_ptr<Regularizer>;

/// Regularizers by Keras name and class name ("l2", "L2"), each a factory from the "config"
/// object of a Keras regularizer config. Users may add their own.
using RegularizerRegistry = Registry<Regularizer>;
template <>
RegularizerRegistry& RegularizerRegistry::global();

/// Keras's regularizers.l1/l2/l1_l2, with Keras's defaults.
namespace regularizers {
inline RegularizerPtr l1(double l1 = 0.01) {
  return std::make_shared<Regularizer>(l1, 0.0);
}
inline RegularizerPtr l2(double l2 = 0.01) {
  return std::make_shared<Regularizer>(0.0, l2);
}
inline RegularizerPtr l1_l2(double l1 = 0.01, double l2 = 0.01) {
  return std::make_shared<Regularizer>(l1, l2);
}
}  // namespace regularizers

}  // namespace nabla
