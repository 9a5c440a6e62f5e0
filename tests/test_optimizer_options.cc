// Optimizer options: plain structs of NABLA_ARGs whose common arguments (learning rate, schedule,
// clipping, weight decay, name) chain with each optimizer's own, libtorch style.
#include <doctest/doctest.h>

#include "framework/nabla.h"

using namespace nabla;

TEST_CASE("optimizer options chain the common arguments with each optimizer's own") {
  const AdamOptions adam = AdamOptions(1e-3).beta_1(0.8).clipnorm(1.0).amsgrad(true).name("opt");
  CHECK(adam.learning_rate() == 1e-3);
  CHECK(adam.beta_1() == 0.8);
  CHECK(adam.beta_2() == 0.999);
  CHECK(adam.clipnorm() == 1.0);
  CHECK_FALSE(adam.clipvalue().has_value());
  CHECK(adam.amsgrad());
  CHECK(adam.name() == "opt");

  const OptimizerOptions common = adam.common();
  CHECK(common.learning_rate() == 1e-3);
  CHECK(common.clipnorm() == 1.0);
  CHECK(common.name() == "opt");
  // common(options) sets them all at once, and only them.
  const SGDOptions sgd = SGDOptions().momentum(0.9).common(common);
  CHECK(sgd.momentum() == 0.9);
  CHECK(sgd.learning_rate() == 1e-3);
  CHECK(sgd.clipnorm() == 1.0);

  // Each optimizer's default learning rate, as Keras's.
  CHECK(SGDOptions().learning_rate() == 0.01);
  CHECK(RMSpropOptions().learning_rate() == 0.001);
  CHECK(AdamWOptions().weight_decay() == 0.004);
  CHECK_FALSE(AdamOptions().weight_decay().has_value());
}

TEST_CASE("optimizers take their options the Keras and libtorch way") {
  Adam adam(AdamOptions(1e-2).amsgrad(true).name("fast"));
  CHECK(adam.name() == "fast");
  CHECK(adam.adam_options().amsgrad());
  CHECK(adam.learning_rate() == doctest::Approx(1e-2));
  SGD sgd(SGDOptions(0.1).momentum(0.9).nesterov(true).global_clipnorm(5.0));
  CHECK(sgd.sgd_options().nesterov());
  CHECK(sgd.options().global_clipnorm() == 5.0);
  CHECK(AdamW(AdamWOptions().weight_decay(0.1)).options().weight_decay() == 0.1);
  CHECK_THROWS_AS(AdamW(AdamWOptions().weight_decay(std::nullopt)), ValueError);
  CHECK_THROWS_AS(SGD(SGDOptions().clipnorm(1.0).clipvalue(1.0)), ValueError);
  const SchedulePtr decay = std::make_shared<ExponentialDecay>(0.1, 10, 0.5);
  CHECK(RMSprop(RMSpropOptions().schedule(decay)).has_schedule());
}
