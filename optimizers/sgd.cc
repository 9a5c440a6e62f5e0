#include "optimizers/sgd.h"

#include <nlohmann/json.hpp>

#include "optimizers/config_reader.h"

namespace nabla {

SGD::SGD(double learning_rate) : SGD(SGDOptions(learning_rate)) {}

SGD::SGD(const SGDOptions& options)
    : Optimizer(options.name().empty() ? "sgd" : options.name(), options.common()), sgd_(options) {
  if (!(options.momentum() >= 0.0 && options.momentum() <= 1.0))
    throw ValueError("SGD: momentum must be in [0, 1], got " + std::to_string(options.momentum()));
}

std::vector<std::string> SGD::slot_names() const {
  if (sgd_.momentum() == 0.0) return {};
  return {"momentum"};
}

Tensor SGD::update(const Variable& variable, const Tensor& grad, const VariableList& slots,
                   const Tensor& lr, const Tensor& iterations) {
  return update_op(op::ApplySGD, variable, grad, lr, iterations, reads(slots),
                   {{"momentum", sgd_.momentum()}, {"nesterov", sgd_.nesterov()}});
}

nlohmann::json SGD::get_config() const {
  nlohmann::json config = base_config();
  config["momentum"] = sgd_.momentum();
  config["nesterov"] = sgd_.nesterov();
  return config;
}

OptimizerPtr SGD::from_config(const nlohmann::json& config) {
  return detail::optimizer_from_keras_config<SGD, SGDOptions>(
      "SGD", config, [](detail::ConfigReader& r, SGDOptions& o) {
        o.momentum(r.number("momentum", o.momentum()));
        o.nesterov(r.boolean("nesterov", o.nesterov()));
      });
}

}  // namespace nabla
