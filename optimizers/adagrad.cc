#include "optimizers/adagrad.h"

#include <nlohmann/json.hpp>

#include "optimizers/config_reader.h"

namespace nabla {

Adagrad::Adagrad(double learning_rate) : Adagrad(AdagradOptions(learning_rate)) {}

Adagrad::Adagrad(const AdagradOptions& options)
    : Optimizer(options.name().empty() ? "adagrad" : options.name(), options.common()),
      adagrad_(options) {}

double Adagrad::slot_initial_value(const std::string& slot) const {
  return adagrad_.initial_accumulator_value();
}

Tensor Adagrad::update(const Variable& variable, const Tensor& grad, const VariableList& slots,
                       const Tensor& lr, const Tensor& iterations) {
  return update_op(op::ApplyAdagrad, variable, grad, lr, iterations, reads(slots),
                   {{"epsilon", adagrad_.epsilon()}});
}

nlohmann::json Adagrad::get_config() const {
  nlohmann::json config = base_config();
  config["initial_accumulator_value"] = adagrad_.initial_accumulator_value();
  config["epsilon"] = adagrad_.epsilon();
  return config;
}

OptimizerPtr Adagrad::from_config(const nlohmann::json& config) {
  return detail::optimizer_from_keras_config<Adagrad, AdagradOptions>(
      "Adagrad", config, [](detail::ConfigReader& r, AdagradOptions& o) {
        o.initial_accumulator_value(
            r.number("initial_accumulator_value", o.initial_accumulator_value()));
        o.epsilon(r.number("epsilon", o.epsilon()));
      });
}

}  // namespace nabla
