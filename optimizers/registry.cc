// The registry of optimizer classes: lookup by (case-insensitive) Keras class name and configs.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "optimizers/adagrad.h"
#include "optimizers/adam.h"
#include "optimizers/adamw.h"
#include "optimizers/nadam.h"
#include "optimizers/optimizer.h"
#include "optimizers/rmsprop.h"
#include "optimizers/sgd.h"

namespace nabla {

template <>
OptimizerRegistry& OptimizerRegistry::global() {
  // Never destroyed, so that lookups stay valid during static destruction.
  static OptimizerRegistry* r = [] {
    auto* r = new OptimizerRegistry("optimizer", NameCase::Insensitive);
    r->add("SGD", SGD::from_config);
    r->add("Adam", Adam::from_config);
    r->add("AdamW", AdamW::from_config);
    r->add("RMSprop", RMSprop::from_config);
    r->add("Adagrad", Adagrad::from_config);
    r->add("Nadam", Nadam::from_config);
    return r;
  }();
  return *r;
}

void register_optimizer(const std::string& class_name,
                        std::function<OptimizerPtr(const nlohmann::json& config)> factory) {
  OptimizerRegistry::global().add(class_name, std::move(factory));
}

std::vector<std::string> optimizer_names() {
  std::vector<std::string> names = OptimizerRegistry::global().names();
  std::sort(names.begin(), names.end());
  return names;
}

OptimizerPtr get_optimizer(const std::string& name) {
  return optimizer_from_config(name);
}

OptimizerPtr optimizer_from_config(const nlohmann::json& config) {
  const OptimizerRegistry& registry = OptimizerRegistry::global();
  std::string class_name = detail::keras_class_name(config, registry.kind());
  // tf-keras 2 writes registered classes as "Package>Name".
  if (auto gt = class_name.rfind('>'); gt != std::string::npos) class_name.erase(0, gt + 1);
  return registry.create(class_name, detail::keras_inner_config(config));
}

}  // namespace nabla
