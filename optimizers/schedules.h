// Learning-rate schedules: the learning rate as a function of the optimizer's step count.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "framework/core/registry.h"

namespace nabla {

/// A learning rate that depends on the step (the optimizer's iterations before the update).
class LearningRateSchedule {
 public:
  explicit LearningRateSchedule(std::string name) : name_(std::move(name)) {}
  virtual ~LearningRateSchedule() = default;
  /// The learning rate at `step`.
  virtual double operator()(int64_t step) const = 0;
  /// The Keras class name, e.g. "ExponentialDecay".
  virtual std::string class_name() const = 0;
  /// {"module", "class_name", "config": {...}, "registered_name"} as
  /// keras.optimizers.schedules.serialize writes it.
  virtual nlohmann::json get_config() const = 0;
  /// The Keras `name` argument (kept for the config; Keras uses it as a name scope).
  const std::string& name() const { return name_; }

 protected:
  /// The serialized form of this schedule with `config` (plus "name") as its config.
  nlohmann::json serialize(nlohmann::json config) const;

 private:
  std::string name_;
};

using SchedulePtr = std::shared_ptr<LearningRateSchedule>;

/// lr0 * decay_rate ^ (step / decay_steps), the exponent floored when `staircase`.
/// ValueError unless decay_steps > 0.
class ExponentialDecay : public LearningRateSchedule {
 public:
  ExponentialDecay(double initial_learning_rate, int64_t decay_steps, double decay_rate,
                   bool staircase = false, std::string name = "ExponentialDecay");
  double operator()(int64_t step) const override;
  std::string class_name() const override { return "ExponentialDecay"; }
  nlohmann::json get_config() const override;

 private:
  double lr0_, rate_;
  int64_t steps_;
  bool staircase_;
};

/// values[i] for the first i with step <= boundaries[i], values.back() after the last boundary.
/// ValueError unless the boundaries increase strictly and there is one value more.
class PiecewiseConstantDecay : public LearningRateSchedule {
 public:
  PiecewiseConstantDecay(std::vector<int64_t> boundaries, std::vector<double> values,
                         std::string name = "PiecewiseConstant");
  double operator()(int64_t step) const override;
  std::string class_name() const override { return "PiecewiseConstantDecay"; }
  nlohmann::json get_config() const override;

 private:
  std::vector<int64_t> boundaries_;
  std::vector<double> values_;
};

/// Cosine decay over decay_steps, then constant, as Keras 3 computes it:
///   decayed(s) = (1 - alpha) * 0.5 * (1 + cos(pi * min(s, decay_steps) / decay_steps)) + alpha
/// Without warmup_target: lr0 * decayed(step). With it: a linear warmup from lr0 to
/// warmup_target over the first warmup_steps steps, then warmup_target * decayed(step -
/// warmup_steps). ValueError unless decay_steps > 0 and warmup_steps >= 0.
class CosineDecay : public LearningRateSchedule {
 public:
  CosineDecay(double initial_learning_rate, int64_t decay_steps, double alpha = 0.0,
              int64_t warmup_steps = 0, std::optional<double> warmup_target = std::nullopt,
              std::string name = "CosineDecay");
  double operator()(int64_t step) const override;
  std::string class_name() const override { return "CosineDecay"; }
  nlohmann::json get_config() const override;

 private:
  double lr0_, alpha_;
  std::optional<double> warmup_target_;
  int64_t steps_, warmup_steps_;
};

/// Learning-rate schedules by Keras class name, each a factory from the "config" object of a Keras
/// schedule config. Users may add their own.
using ScheduleRegistry = Registry<LearningRateSchedule>;
template <>
ScheduleRegistry& ScheduleRegistry::global();

/// From {"class_name": "ExponentialDecay", "config": {...}}; NotFoundError for other classes,
/// ValueError naming the key for unknown config keys.
SchedulePtr schedule_from_config(const nlohmann::json& config);

}  // namespace nabla
