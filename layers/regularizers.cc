#include "layers/regularizers.h"

#include <nlohmann/json.hpp>

#include "framework/core/errors.h"
#include "framework/ops/ops.h"
#include "layers/layer_config.h"

namespace nabla {

template <>
RegularizerRegistry& RegularizerRegistry::global() {
  // Never destroyed, so that lookups stay valid during static destruction.
  static RegularizerRegistry* r = [] {
    auto* r = new RegularizerRegistry("regularizer");
    // Keras's functions (tf-keras 2's l1_l2 defaults to 0.01 each) and classes (L1L2 to 0).
    r->add("l1",
           [](const nlohmann::json& c) -> RegularizerPtr {
             return regularizers::l1(c.value("l1", 0.01));
           },
           {"L1"});
    r->add("l2",
           [](const nlohmann::json& c) -> RegularizerPtr {
             return regularizers::l2(c.value("l2", 0.01));
           },
           {"L2"});
    r->add("l1_l2", [](const nlohmann::json& c) -> RegularizerPtr {
      return regularizers::l1_l2(c.value("l1", 0.01), c.value("l2", 0.01));
    });
    r->add("L1L2", [](const nlohmann::json& c) -> RegularizerPtr {
      return regularizers::l1_l2(c.value("l1", 0.0), c.value("l2", 0.0));
    });
    return r;
  }();
  return *r;
}

std::shared_ptr<Regularizer> Regularizer::from_config(const nlohmann::json& config) {
  if (config.is_null()) return nullptr;
  return RegularizerRegistry::global().from_config(config);
}

Tensor Regularizer::operator()(const Tensor& w) const {
  Tensor penalty;
  if (l1_ != 0) penalty = reduce_sum(abs(w)) * l1_;
  if (l2_ != 0) {
    Tensor p2 = reduce_sum(square(w)) * l2_;
    penalty = penalty.defined() ? penalty + p2 : p2;
  }
  return penalty.defined() ? penalty : reduce_sum(w) * 0.0;
}

nlohmann::json Regularizer::get_config() const {
  if (l2_ == 0) return keras_object("keras.regularizers", "L1", {{"l1", l1_}});
  if (l1_ == 0) return keras_object("keras.regularizers", "L2", {{"l2", l2_}});
  return keras_object("keras.regularizers", "L1L2", {{"l1", l1_}, {"l2", l2_}});
}

}  // namespace nabla
