// Optimizer state and configs: iterations, variables() and slot names, the learning rate and
// schedules, Keras configs and the registry, and the errors of apply_gradients.
#include <nlohmann/json.hpp>

#include "optimizer_steps.h"
#include "optimizers/adagrad.h"
#include "optimizers/adam.h"
#include "optimizers/adamw.h"
#include "optimizers/nadam.h"
#include "optimizers/rmsprop.h"
#include "optimizers/sgd.h"

using namespace nabla;
using namespace nabla::testing;
using nlohmann::json;

namespace {

std::vector<std::string> names(const VariableList& variables) {
  std::vector<std::string> out;
  for (const Variable& v : variables) out.push_back(v.name());
  return out;
}

// One eager step of `opt` on a dense layer's kernel and bias.
void step_dense(Optimizer& opt, Variable& kernel, Variable& bias) {
  kernel = Variable(Tensor::ones({2, 2}), "dense/kernel");
  bias = Variable(Tensor::zeros({2}), "dense/bias");
  opt.apply_gradients({Tensor::ones({2, 2}), Tensor::ones({2})}, {kernel, bias});
}

}  // namespace

TEST_CASE("variables() lists iterations then the slots, named as Keras 3 names them") {
  Variable kernel, bias;
  Adam adam;
  CHECK(names(adam.variables()) == std::vector<std::string>{"adam/iteration"});
  step_dense(adam, kernel, bias);
  CHECK(names(adam.variables()) ==
        std::vector<std::string>{"adam/iteration", "adam/dense_kernel_momentum",
                                 "adam/dense_kernel_velocity", "adam/dense_bias_momentum",
                                 "adam/dense_bias_velocity"});
  CHECK(adam.slots(kernel)[0].shape() == Shape{2, 2});
  CHECK_FALSE(adam.slots(kernel)[0].trainable());
  CHECK(adam.iterations_value() == 1);

  SGD sgd;
  step_dense(sgd, kernel, bias);
  CHECK(names(sgd.variables()) == std::vector<std::string>{"sgd/iteration"});

  RMSprop rms(RMSpropOptions().momentum(0.5).centered(true).name("rms"));
  step_dense(rms, kernel, bias);
  CHECK(names(rms.slots(bias)) == std::vector<std::string>{"rms/dense_bias_velocity",
                                                           "rms/dense_bias_momentum",
                                                           "rms/dense_bias_average_gradient"});

  Adagrad adagrad;
  CHECK(adagrad.slots(kernel)[0].value().to_vector<float>() == std::vector<float>(4, 0.1f));
}

TEST_CASE("Nadam keeps its momentum product in variables(), advanced once per step") {
  Nadam nadam;
  Variable kernel, bias;
  step_dense(nadam, kernel, bias);
  VariableList state = nadam.variables();
  REQUIRE(state.size() == 6);
  CHECK(state.back().name() == "nadam/u_product");
  CHECK(state.back().value().item<double>() == doctest::Approx(0.9 * (1 - 0.5 * 0.96)));
  nadam.apply_gradients({Tensor::ones({2})}, {bias});
  const double u2 = 0.9 * (1 - 0.5 * 0.96 * 0.96);
  CHECK(nadam.u_product().value().item<double>() == doctest::Approx(0.468 * u2));
}

TEST_CASE("the learning rate: set_learning_rate, and schedules followed step by step") {
  SGD sgd(0.1);
  CHECK(sgd.learning_rate() == doctest::Approx(0.1));
  sgd.set_learning_rate(0.5);
  CHECK(sgd.learning_rate_variable().value().item<float>() == 0.5f);
  check_rows(eager_steps(sgd, {0, 0, 0}, {{1, 2, 3}}), {{-0.5, -1, -1.5}});

  // lr = 0.1 * 0.5^(iterations / 2); values from optimizer_reference.py.
  const Rows expected{{0.99, -1.98, 2.97},
                      {1.02535534, -2.00828427, 2.96929289},
                      {1.01535534, -2.00828427, 2.96929289}};
  auto make = [] {
    return SGD(SGDOptions().schedule(std::make_shared<ExponentialDecay>(0.1, 2, 0.5)));
  };
  SGD eager = make(), graph = make();
  check_rows(eager_steps(eager), expected);
  check_rows(graph_steps(graph), expected);
  CHECK(eager.learning_rate() == doctest::Approx(0.1 * std::pow(0.5, 1.5)));
  CHECK_THROWS_WITH_AS(eager.set_learning_rate(0.1), doctest::Contains("ExponentialDecay schedule"),
                       StateError);
}

TEST_CASE("get_config gives what Keras 3's get_config gives") {
  // keras.optimizers.<Class>().get_config() with Keras 3.15.1.
  const json common = json::parse(R"({"clipnorm": null, "clipvalue": null, "ema_momentum": 0.99,
      "ema_overwrite_frequency": null, "global_clipnorm": null,
      "gradient_accumulation_steps": null, "learning_rate": 0.0010000000474974513,
      "loss_scale_factor": null, "use_ema": false, "weight_decay": null})");
  auto keras = [&](const char* own) {
    json c = common;
    c.update(json::parse(own));
    return c;
  };
  CHECK(SGD().get_config() ==
        keras(R"({"learning_rate": 0.009999999776482582, "momentum": 0.0, "name": "sgd",
                  "nesterov": false})"));
  CHECK(Adam().get_config() == keras(R"({"amsgrad": false, "beta_1": 0.9, "beta_2": 0.999,
                                         "epsilon": 1e-07, "name": "adam"})"));
  CHECK(AdamW().get_config() ==
        keras(R"({"amsgrad": false, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07,
                  "name": "adam_w", "weight_decay": 0.004})"));
  CHECK(RMSprop().get_config() == keras(R"({"centered": false, "epsilon": 1e-07, "momentum": 0.0,
                                            "name": "rm_sprop", "rho": 0.9})"));
  CHECK(Adagrad().get_config() == keras(R"({"epsilon": 1e-07, "initial_accumulator_value": 0.1,
                                            "name": "adagrad"})"));
  CHECK(Nadam().get_config() ==
        keras(R"({"beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07, "name": "nadam"})"));

  // SGD(learning_rate=ExponentialDecay(0.1, 2, 0.5), momentum=0.5, clipnorm=2.0, name="opt").
  SGD scheduled(SGDOptions()
                    .schedule(std::make_shared<ExponentialDecay>(0.1, 2, 0.5))
                    .momentum(0.5)
                    .clipnorm(2.0)
                    .name("opt"));
  CHECK(scheduled.get_config() ==
        keras(R"({"clipnorm": 2.0, "momentum": 0.5, "name": "opt", "nesterov": false,
                  "learning_rate": {"class_name": "ExponentialDecay", "config": {
                    "decay_rate": 0.5, "decay_steps": 2, "initial_learning_rate": 0.1,
                    "name": "ExponentialDecay", "staircase": false},
                  "module": "keras.optimizers.schedules", "registered_name": null}})"));
}

TEST_CASE("optimizer_from_config reads back get_config, Keras names and tf-keras 2 configs") {
  for (const std::string& name : optimizer_names()) {
    INFO(name);
    OptimizerPtr opt = get_optimizer(name);
    OptimizerPtr back =
        optimizer_from_config({{"class_name", name}, {"config", opt->get_config()}});
    CHECK(back->class_name() == name);
    CHECK(back->get_config() == opt->get_config());
  }
  CHECK(optimizer_names() ==
        std::vector<std::string>{"Adagrad", "Adam", "AdamW", "Nadam", "RMSprop", "SGD"});
  CHECK(get_optimizer("RMSPROP")->class_name() == "RMSprop");
  CHECK(optimizer_from_config("adamw")->class_name() == "AdamW");

  // tf-keras 2's serialize(Adam(...)) and an old "lr".
  OptimizerPtr tf2 = optimizer_from_config(json::parse(R"({"module": "keras.optimizers",
      "class_name": "Custom>Adam", "registered_name": null, "config": {"name": "Adam",
      "weight_decay": null, "clipnorm": null, "global_clipnorm": null, "clipvalue": null,
      "use_ema": false, "ema_momentum": 0.99, "ema_overwrite_frequency": null,
      "jit_compile": false, "is_legacy_optimizer": false, "learning_rate": 0.002,
      "beta_1": 0.8, "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": true}})"));
  CHECK(tf2->name() == "Adam");
  CHECK(tf2->learning_rate() == doctest::Approx(0.002));
  CHECK(dynamic_cast<Adam&>(*tf2).adam_options().amsgrad());
  CHECK(dynamic_cast<Adam&>(*tf2).adam_options().beta_1() == 0.8);
  CHECK(
      optimizer_from_config({{"class_name", "SGD"}, {"config", {{"lr", 0.5}}}})->learning_rate() ==
      doctest::Approx(0.5));
}

TEST_CASE("config and registry errors name what was wrong") {
  CHECK_THROWS_WITH_AS(get_optimizer("adamm"), doctest::Contains("did you mean 'adam'"),
                       NotFoundError);
  CHECK_THROWS_WITH_AS(
      optimizer_from_config({{"class_name", "Adam"}, {"config", {{"beta_3", 0.5}}}}),
      doctest::Contains("'beta_3' is not a known argument"), ValueError);
  CHECK_THROWS_WITH_AS(
      optimizer_from_config({{"class_name", "SGD"}, {"config", {{"momentum", "high"}}}}),
      doctest::Contains("'momentum' must be a number"), ValueError);
  CHECK_THROWS_WITH_AS(
      optimizer_from_config({{"class_name", "AdamW"}, {"config", {{"weight_decay", nullptr}}}}),
      doctest::Contains("weight_decay"), ValueError);
  CHECK_THROWS_WITH_AS(SGD(SGDOptions().momentum(1.5)), doctest::Contains("momentum"), ValueError);
}
