#include "optimizers/adam.h"

#include <nlohmann/json.hpp>

#include "optimizers/config_reader.h"

namespace nabla {

Adam::Adam(double learning_rate) : Adam(AdamOptions(learning_rate)) {}

Adam::Adam(const AdamOptions& options)
    : Adam(options.name().empty() ? "adam" : options.name(), options.common(),
           options.adam_args()) {}

Adam::Adam(const std::string& name, const OptimizerOptions& common, const AdamArgs& args)
    : Optimizer(name, common), args_(args) {}

std::vector<std::string> Adam::slot_names() const {
  if (args_.amsgrad) return {"momentum", "velocity", "velocity_hat"};
  return {"momentum", "velocity"};
}

std::vector<std::vector<std::string>> Adam::keras_slot_groups() const {
  // Keras makes every variable's momentum and velocity, then the velocity_hats.
  if (args_.amsgrad) return {{"momentum", "velocity"}, {"velocity_hat"}};
  return {{"momentum", "velocity"}};
}

Tensor Adam::update(const Variable& variable, const Tensor& grad, const VariableList& slots,
                    const Tensor& lr, const Tensor& iterations) {
  // The op knows amsgrad from the third slot.
  return update_op(
      op::ApplyAdam, variable, grad, lr, iterations, reads(slots),
      {{"beta_1", args_.beta_1}, {"beta_2", args_.beta_2}, {"epsilon", args_.epsilon}});
}

nlohmann::json Adam::get_config() const {
  nlohmann::json config = base_config();
  config["beta_1"] = args_.beta_1;
  config["beta_2"] = args_.beta_2;
  config["epsilon"] = args_.epsilon;
  config["amsgrad"] = args_.amsgrad;
  return config;
}

AdamArgs Adam::read_args(detail::ConfigReader& r, const AdamArgs& defaults) {
  AdamArgs args;
  args.beta_1 = r.number("beta_1", defaults.beta_1);
  args.beta_2 = r.number("beta_2", defaults.beta_2);
  args.epsilon = r.number("epsilon", defaults.epsilon);
  args.amsgrad = r.boolean("amsgrad", defaults.amsgrad);
  return args;
}

OptimizerPtr Adam::from_config(const nlohmann::json& config) {
  return detail::optimizer_from_keras_config<Adam, AdamOptions>(
      "Adam", config,
      [](detail::ConfigReader& r, AdamOptions& o) { o.adam_args(read_args(r, o.adam_args())); });
}

}  // namespace nabla
