// Learning-rate schedules against Keras 3's values and configs, and their argument errors.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <vector>

#include "framework/core/errors.h"
#include "optimizers/schedules.h"

using namespace nabla;
using nlohmann::json;

namespace {

const std::vector<int64_t> kSteps{0, 1, 2, 3, 5, 6, 8, 10, 13, 20};

// Keras computes in float32, so its values agree to about 1e-7 relative.
void check_values(const LearningRateSchedule& s, const std::vector<double>& keras) {
  for (size_t i = 0; i < kSteps.size(); ++i) {
    INFO(s.class_name() << " at step " << kSteps[i]);
    CHECK(s(kSteps[i]) == doctest::Approx(keras[i]).epsilon(1e-6));
  }
}

// Keras's serialize() output for the schedule: a config round trip must give it back.
void check_config(const LearningRateSchedule& s, const char* keras_config) {
  const json expected = json::parse(keras_config);
  CHECK(s.get_config() == expected);
  CHECK(schedule_from_config(expected)->get_config() == expected);
}

}  // namespace

TEST_CASE("ExponentialDecay, smooth and staircase") {
  ExponentialDecay smooth(0.1, 10, 0.5);
  check_values(smooth, {0.100000001, 0.0933033004, 0.0870550573, 0.0812252387, 0.0707106814,
                        0.0659753904, 0.0574349165, 0.0500000007, 0.0406126194, 0.0250000004});
  ExponentialDecay stairs(0.1, 10, 0.5, true);
  check_values(stairs, {0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.025});
  check_config(stairs, R"({"module": "keras.optimizers.schedules", "class_name":
      "ExponentialDecay", "config": {"initial_learning_rate": 0.1, "decay_steps": 10,
      "decay_rate": 0.5, "staircase": true, "name": "ExponentialDecay"},
      "registered_name": null})");
}

TEST_CASE("PiecewiseConstantDecay: each boundary still belongs to the value before it") {
  PiecewiseConstantDecay s({2, 5}, {1.0, 0.5, 0.1});
  check_values(s, {1, 1, 1, 0.5, 0.5, 0.1, 0.1, 0.1, 0.1, 0.1});
  check_config(s, R"({"module": "keras.optimizers.schedules", "class_name":
      "PiecewiseConstantDecay", "config": {"boundaries": [2, 5], "values": [1.0, 0.5, 0.1],
      "name": "PiecewiseConstant"}, "registered_name": null})");
}

TEST_CASE("CosineDecay, with alpha and warmup") {
  CosineDecay plain(0.1, 10);
  check_values(plain, {0.100000001, 0.0975528285, 0.0904508457, 0.0793892667, 0.049999997,
                       0.0345491432, 0.00954914745, 0, 0, 0});
  check_config(plain, R"({"module": "keras.optimizers.schedules", "class_name": "CosineDecay",
      "config": {"initial_learning_rate": 0.1, "decay_steps": 10, "alpha": 0.0,
      "name": "CosineDecay", "warmup_target": null, "warmup_steps": 0},
      "registered_name": null})");
  CosineDecay warm(0.1, 10, 0.1, 3, 0.2);
  check_values(warm, {0.100000001, 0.13333334, 0.166666672, 0.200000003, 0.182811528, 0.162900671,
                      0.109999992, 0.0570993312, 0.0200000014, 0.0200000014});
  check_config(warm, R"({"module": "keras.optimizers.schedules", "class_name": "CosineDecay",
      "config": {"initial_learning_rate": 0.1, "decay_steps": 10, "alpha": 0.1,
      "name": "CosineDecay", "warmup_target": 0.2, "warmup_steps": 3},
      "registered_name": null})");
}

TEST_CASE("schedule arguments and configs are checked") {
  CHECK_THROWS_WITH_AS(ExponentialDecay(0.1, 0, 0.5),
                       doctest::Contains("decay_steps must be > 0, got 0"), ValueError);
  CHECK_THROWS_WITH_AS(CosineDecay(0.1, -3), doctest::Contains("got -3"), ValueError);
  CHECK_THROWS_WITH_AS(PiecewiseConstantDecay({5, 2}, {1, 2, 3}),
                       doctest::Contains("boundaries must increase strictly, got [5,2]"),
                       ValueError);
  CHECK_THROWS_WITH_AS(PiecewiseConstantDecay({2, 5}, {1, 2}),
                       doctest::Contains("2 boundaries [2,5] and 2 values [1.0,2.0]"), ValueError);
  CHECK_THROWS_WITH_AS(schedule_from_config({{"class_name", "ExponentialDecay"},
                                             {"config",
                                              {{"initial_learning_rate", 0.1},
                                               {"decay_steps", 2},
                                               {"decay_rate", 0.5},
                                               {"cycle", true}}}}),
                       doctest::Contains("'cycle' is not a known argument"), ValueError);
  CHECK_THROWS_WITH_AS(
      schedule_from_config({{"class_name", "CosineDecay"}, {"config", json::object()}}),
      doctest::Contains("' is required"), ValueError);
  CHECK_THROWS_WITH_AS(schedule_from_config({{"class_name", "CosineDecayy"}}),
                       doctest::Contains("did you mean 'CosineDecay'"), NotFoundError);
}
