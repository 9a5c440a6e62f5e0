#include "layers/regularizers.h"

#include <nlohmann/json.hpp>

#include "framework/core/errors.h"
#include "framework/ops/ops.h"
#include "layers/layer_config.h"

namespace nabla {

std::shared_ptr<Regularizer> Regularizer::from_config(const nlohmann::json& config) {
  if (config.is_null()) return nullptr;
  if (config.is_string()) {
    const std::string name = config.get<std::string>();
    if (name == "l1" || name == "L1") return regularizers::l1();
    if (name == "l2" || name == "L2") return regularizers::l2();
    if (name == "l1_l2" || name == "L1L2") return regularizers::l1_l2();
    throw_unknown("regularizer", name, {"l1", "l2", "l1_l2"});
  }
  if (!config.is_object() || !config.contains("class_name"))
    throw ValueError("a regularizer config needs a name or \"class_name\", got " + config.dump());
  const std::string cls = config["class_name"].get<std::string>();
  const nlohmann::json c = config.value("config", nlohmann::json::object());
  const double a = c.value("l1", 0.0), b = c.value("l2", 0.0);
  if (cls == "L1") return regularizers::l1(c.value("l1", 0.01));
  if (cls == "L2") return regularizers::l2(c.value("l2", 0.01));
  if (cls == "L1L2") return std::make_shared<Regularizer>(a, b);
  throw_unknown("regularizer class", cls, {"L1", "L2", "L1L2"});
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
