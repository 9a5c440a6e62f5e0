#include "optimizers/rmsprop.h"

#include <nlohmann/json.hpp>

#include "optimizers/config_reader.h"

namespace nabla {

RMSprop::RMSprop(double learning_rate) : RMSprop(RMSpropOptions(learning_rate)) {}

RMSprop::RMSprop(const RMSpropOptions& options)
    : Optimizer(options.name().empty() ? "rm_sprop" : options.name(), options.common()),
      rms_(options) {}

std::vector<std::string> RMSprop::slot_names() const {
  std::vector<std::string> names{"velocity"};
  if (rms_.momentum() > 0) names.push_back("momentum");
  if (rms_.centered()) names.push_back("average_gradient");
  return names;
}

std::vector<std::vector<std::string>> RMSprop::keras_slot_groups() const {
  // Keras makes all velocities, then all momentums, then all average gradients.
  std::vector<std::vector<std::string>> groups;
  for (const std::string& slot : slot_names()) groups.push_back({slot});
  return groups;
}

Tensor RMSprop::update(const Variable& variable, const Tensor& grad, const VariableList& slots,
                       const Tensor& lr, const Tensor& iterations) {
  TensorList inputs = reads(slots);
  // The op's slots are positional: the mean gradient is slot 2 even without momentum. Slot 1 is
  // then never touched (momentum is 0), so the velocity can stand in for it.
  if (rms_.centered() && rms_.momentum() <= 0) inputs.insert(inputs.begin() + 1, inputs[0]);
  return update_op(op::ApplyRMSprop, variable, grad, lr, iterations, inputs,
                   {{"rho", rms_.rho()},
                    {"momentum", rms_.momentum()},
                    {"epsilon", rms_.epsilon()},
                    {"centered", rms_.centered()}});
}

nlohmann::json RMSprop::get_config() const {
  nlohmann::json config = base_config();
  config["rho"] = rms_.rho();
  config["momentum"] = rms_.momentum();
  config["epsilon"] = rms_.epsilon();
  config["centered"] = rms_.centered();
  return config;
}

OptimizerPtr RMSprop::from_config(const nlohmann::json& config) {
  return detail::optimizer_from_keras_config<RMSprop, RMSpropOptions>(
      "RMSprop", config, [](detail::ConfigReader& r, RMSpropOptions& o) {
        o.rho(r.number("rho", o.rho())).momentum(r.number("momentum", o.momentum()));
        o.epsilon(r.number("epsilon", o.epsilon())).centered(r.boolean("centered", o.centered()));
      });
}

}  // namespace nabla
