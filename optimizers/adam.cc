#include "optimizers/adam.h"

#include <nlohmann/json.hpp>

#include "optimizers/adamw.h"
#include "optimizers/config_reader.h"

namespace nabla {

Adam::Adam(double learning_rate) : Adam(AdamOptions(learning_rate)) {}

Adam::Adam(const AdamOptions& options)
    : Adam(options.name().empty() ? "adam" : options.name(), options) {}

Adam::Adam(const std::string& name, const AdamOptions& options)
    : Optimizer(name, options.common()), adam_(options) {}

std::vector<std::string> Adam::slot_names() const {
  if (adam_.amsgrad()) return {"momentum", "velocity", "velocity_hat"};
  return {"momentum", "velocity"};
}

std::vector<std::vector<std::string>> Adam::keras_slot_groups() const {
  // Keras makes every variable's momentum and velocity, then the velocity_hats.
  if (adam_.amsgrad()) return {{"momentum", "velocity"}, {"velocity_hat"}};
  return {{"momentum", "velocity"}};
}

Tensor Adam::update(const Variable& variable, const Tensor& grad, const VariableList& slots,
                    const Tensor& lr, const Tensor& iterations) {
  // The op knows amsgrad from the third slot.
  return update_op(
      op::ApplyAdam, variable, grad, lr, iterations, reads(slots),
      {{"beta_1", adam_.beta_1()}, {"beta_2", adam_.beta_2()}, {"epsilon", adam_.epsilon()}});
}

nlohmann::json Adam::get_config() const {
  nlohmann::json config = base_config();
  config["beta_1"] = adam_.beta_1();
  config["beta_2"] = adam_.beta_2();
  config["epsilon"] = adam_.epsilon();
  config["amsgrad"] = adam_.amsgrad();
  return config;
}

template <class Options>
void Adam::read_adam_args(detail::ConfigReader& r, Options& o) {
  o.beta_1(r.number("beta_1", o.beta_1())).beta_2(r.number("beta_2", o.beta_2()));
  o.epsilon(r.number("epsilon", o.epsilon())).amsgrad(r.boolean("amsgrad", o.amsgrad()));
}
template void Adam::read_adam_args(detail::ConfigReader&, AdamOptions&);
template void Adam::read_adam_args(detail::ConfigReader&, AdamWOptions&);

OptimizerPtr Adam::from_config(const nlohmann::json& config) {
  return detail::optimizer_from_keras_config<Adam, AdamOptions>(
      "Adam", config, [](detail::ConfigReader& r, AdamOptions& o) { read_adam_args(r, o); });
}

}  // namespace nabla
