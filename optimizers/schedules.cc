#include "optimizers/schedules.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <numbers>

#include "framework/core/errors.h"
#include "optimizers/config_reader.h"

namespace nabla {
namespace {

void require_decay_steps(const char* schedule, int64_t decay_steps) {
  if (decay_steps <= 0)
    throw ValueError(std::string(schedule) + ": decay_steps must be > 0, got " +
                     std::to_string(decay_steps));
}

template <class T>
std::string list_string(const std::vector<T>& xs) {
  return nlohmann::json(xs).dump();
}

std::vector<int64_t> steps_from(detail::ConfigReader& r, const std::string& key) {
  std::vector<int64_t> steps;
  for (double x : r.numbers(key)) {
    if (x != std::floor(x)) throw ValueError(r.message(key, "must hold step counts (integers)"));
    steps.push_back(static_cast<int64_t>(x));
  }
  return steps;
}

}  // namespace

nlohmann::json LearningRateSchedule::serialize(nlohmann::json config) const {
  config["name"] = name_;
  return {{"module", "keras.optimizers.schedules"},
          {"class_name", class_name()},
          {"config", std::move(config)},
          {"registered_name", nullptr}};
}

ExponentialDecay::ExponentialDecay(double initial_learning_rate, int64_t decay_steps,
                                   double decay_rate, bool staircase, std::string name)
    : LearningRateSchedule(std::move(name)),
      lr0_(initial_learning_rate),
      rate_(decay_rate),
      steps_(decay_steps),
      staircase_(staircase) {
  require_decay_steps("ExponentialDecay", decay_steps);
}

double ExponentialDecay::operator()(int64_t step) const {
  double p = static_cast<double>(step) / static_cast<double>(steps_);
  if (staircase_) p = std::floor(p);
  return lr0_ * std::pow(rate_, p);
}

nlohmann::json ExponentialDecay::get_config() const {
  return serialize({{"initial_learning_rate", lr0_},
                    {"decay_steps", steps_},
                    {"decay_rate", rate_},
                    {"staircase", staircase_}});
}

PiecewiseConstantDecay::PiecewiseConstantDecay(std::vector<int64_t> boundaries,
                                               std::vector<double> values, std::string name)
    : LearningRateSchedule(std::move(name)),
      boundaries_(std::move(boundaries)),
      values_(std::move(values)) {
  if (values_.size() != boundaries_.size() + 1)
    throw ValueError("PiecewiseConstantDecay: there must be one value more than boundaries, got " +
                     std::to_string(boundaries_.size()) + " boundaries " +
                     list_string(boundaries_) + " and " + std::to_string(values_.size()) +
                     " values " + list_string(values_));
  for (size_t i = 1; i < boundaries_.size(); ++i)
    if (boundaries_[i] <= boundaries_[i - 1])
      throw ValueError("PiecewiseConstantDecay: boundaries must increase strictly, got " +
                       list_string(boundaries_));
}

double PiecewiseConstantDecay::operator()(int64_t step) const {
  // The first boundary not below the step: boundaries are inclusive upper ends, as in Keras.
  const auto it = std::lower_bound(boundaries_.begin(), boundaries_.end(), step);
  return values_[it - boundaries_.begin()];
}

nlohmann::json PiecewiseConstantDecay::get_config() const {
  return serialize({{"boundaries", boundaries_}, {"values", values_}});
}

CosineDecay::CosineDecay(double initial_learning_rate, int64_t decay_steps, double alpha,
                         int64_t warmup_steps, std::optional<double> warmup_target,
                         std::string name)
    : LearningRateSchedule(std::move(name)),
      lr0_(initial_learning_rate),
      alpha_(alpha),
      warmup_target_(warmup_target),
      steps_(decay_steps),
      warmup_steps_(warmup_steps) {
  require_decay_steps("CosineDecay", decay_steps);
  if (warmup_steps < 0)
    throw ValueError("CosineDecay: warmup_steps must be >= 0, got " + std::to_string(warmup_steps));
}

double CosineDecay::operator()(int64_t step) const {
  const double decay_steps = static_cast<double>(steps_);
  auto decayed = [&](double s, double from) {
    const double cosine = 0.5 * (1.0 + std::cos(std::numbers::pi * s / decay_steps));
    return from * ((1.0 - alpha_) * cosine + alpha_);
  };
  if (!warmup_target_) return decayed(std::min<double>(step, decay_steps), lr0_);
  const double warmup = static_cast<double>(warmup_steps_);
  const double s = std::min<double>(step, decay_steps + warmup);
  if (s < warmup) return (*warmup_target_ - lr0_) * (s / warmup) + lr0_;
  return decayed(s - warmup, *warmup_target_);
}

nlohmann::json CosineDecay::get_config() const {
  return serialize({{"initial_learning_rate", lr0_},
                    {"decay_steps", steps_},
                    {"alpha", alpha_},
                    {"warmup_target", warmup_target_ ? nlohmann::json(*warmup_target_) : nullptr},
                    {"warmup_steps", warmup_steps_}});
}

namespace {

// A factory reading a schedule's config key by key (unknown keys are a ValueError).
template <class Read>
ScheduleRegistry::EntryType reading(const char* class_name, Read read) {
  return [class_name, read](const nlohmann::json& config) -> SchedulePtr {
    detail::ConfigReader r(std::string(class_name) + " config", config);
    SchedulePtr schedule = read(r);
    r.finish();
    return schedule;
  };
}

}  // namespace

template <>
ScheduleRegistry& ScheduleRegistry::global() {
  // Never destroyed, so that lookups stay valid during static destruction.
  static ScheduleRegistry* registry = [] {
    auto* registry = new ScheduleRegistry("learning-rate schedule");
    registry->add("CosineDecay", reading("CosineDecay", [](detail::ConfigReader& r) {
                    return std::make_shared<CosineDecay>(
                        r.number("initial_learning_rate"), r.integer("decay_steps"),
                        r.number("alpha", 0.0), r.integer("warmup_steps", 0),
                        r.optional_number("warmup_target", std::nullopt),
                        r.string("name", "CosineDecay"));
                  }));
    registry->add("ExponentialDecay", reading("ExponentialDecay", [](detail::ConfigReader& r) {
                    return std::make_shared<ExponentialDecay>(
                        r.number("initial_learning_rate"), r.integer("decay_steps"),
                        r.number("decay_rate"), r.boolean("staircase", false),
                        r.string("name", "ExponentialDecay"));
                  }));
    registry->add(
        "PiecewiseConstantDecay", reading("PiecewiseConstantDecay", [](detail::ConfigReader& r) {
          return std::make_shared<PiecewiseConstantDecay>(steps_from(r, "boundaries"),
                                                          r.numbers("values"),
                                                          r.string("name", "PiecewiseConstant"));
        }));
    return registry;
  }();
  return *registry;
}

SchedulePtr schedule_from_config(const nlohmann::json& config) {
  if (!config.is_object() || !config.contains("class_name") || !config["class_name"].is_string())
    throw ValueError("a learning-rate schedule config needs a \"class_name\", got " +
                     config.dump());
  return ScheduleRegistry::global().from_config(config);
}

}  // namespace nabla
