#include "optimizers/nadam.h"

#include <nlohmann/json.hpp>

#include "framework/ops/ops.h"
#include "optimizers/config_reader.h"

namespace nabla {

Nadam::Nadam(double learning_rate) : Nadam(NadamOptions(learning_rate)) {}

Nadam::Nadam(const NadamOptions& options)
    : Optimizer(options.name().empty() ? "nadam" : options.name(), options.common()),
      nadam_(options) {}

Tensor Nadam::update(const Variable& variable, const Tensor& grad, const VariableList& slots,
                     const Tensor& lr, const Tensor& iterations) {
  if (!u_product_.defined()) {
    // Made here rather than at construction to take the dtype of the variables, as Keras does.
    const Tensor one = Tensor::scalar(1.0, variable.dtype()).to(variable.device());
    u_product_ = Variable(one, name() + "/u_product", false);
    track_variable(u_product_);
  }
  Tensor u_product = read_for_step(u_product_, iterations);
  if (u_product.dtype() != variable.dtype()) u_product = cast(u_product, variable.dtype());
  TensorList inputs = reads(slots);
  inputs.push_back(u_product);
  return update_op(
      op::ApplyNadam, variable, grad, lr, iterations, inputs,
      {{"beta_1", nadam_.beta_1()}, {"beta_2", nadam_.beta_2()}, {"epsilon", nadam_.epsilon()}});
}

Tensor Nadam::finish_step(const Tensor& iterations) {
  const Tensor t = cast(iterations, u_product_.dtype()) + 1.0;
  const Tensor u_t = (1.0 - 0.5 * pow(0.96, t)) * nadam_.beta_1();
  const Tensor u_product = read_for_step(u_product_, iterations);
  return assign(u_product, u_product * u_t);
}

nlohmann::json Nadam::get_config() const {
  nlohmann::json config = base_config();
  config["beta_1"] = nadam_.beta_1();
  config["beta_2"] = nadam_.beta_2();
  config["epsilon"] = nadam_.epsilon();
  return config;
}

OptimizerPtr Nadam::from_config(const nlohmann::json& config) {
  return detail::optimizer_from_keras_config<Nadam, NadamOptions>(
      "Nadam", config, [](detail::ConfigReader& r, NadamOptions& o) {
        o.beta_1(r.number("beta_1", o.beta_1())).beta_2(r.number("beta_2", o.beta_2()));
        o.epsilon(r.number("epsilon", o.epsilon()));
      });
}

}  // namespace nabla
