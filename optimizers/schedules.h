// Learning-rate schedules: the learning rate as a function of the optimizer's step count.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace nabla {

/// A learning rate that depends on the step (the optimizer's iterations before the update).
class LearningRateSchedule {
 public:
  virtual ~LearningRateSchedule() = default;
  virtual double operator()(int64_t step) const = 0;
  /// The Keras class name, e.g. "ExponentialDecay".
  virtual std::string class_name() const = 0;
  /// {"class_name": ..., "config": {...}} as Keras serializes it.
  virtual nlohmann::json get_config() const = 0;
};

using SchedulePtr = std::shared_ptr<LearningRateSchedule>;

/// lr0 * decay_rate ^ (step / decay_steps), the exponent floored when `staircase`.
class ExponentialDecay : public LearningRateSchedule {
 public:
  ExponentialDecay(double initial_learning_rate, int64_t decay_steps, double decay_rate,
                   bool staircase = false);
  double operator()(int64_t step) const override;
  std::string class_name() const override { return "ExponentialDecay"; }
  nlohmann::json get_config() const override;

 private:
  double lr0_, rate_;
  int64_t steps_;
  bool staircase_;
};

/// values[i] while step <= boundaries[i] (and values.back() after the last boundary).
class PiecewiseConstantDecay : public LearningRateSchedule {
 public:
  PiecewiseConstantDecay(std::vector<int64_t> boundaries, std::vector<double> values);
  double operator()(int64_t step) const override;
  std::string class_name() const override { return "PiecewiseConstantDecay"; }
  nlohmann::json get_config() const override;

 private:
  std::vector<int64_t> boundaries_;
  std::vector<double> values_;
};

/// Cosine decay from lr0 to lr0 * alpha over decay_steps (after an optional linear warmup from
/// lr0 to warmup_target over warmup_steps, as in Keras 3).
class CosineDecay : public LearningRateSchedule {
 public:
  CosineDecay(double initial_learning_rate, int64_t decay_steps, double alpha = 0.0,
              int64_t warmup_steps = 0, double warmup_target = -1.0);
  double operator()(int64_t step) const override;
  std::string class_name() const override { return "CosineDecay"; }
  nlohmann::json get_config() const override;

 private:
  double lr0_, alpha_, warmup_target_;
  int64_t steps_, warmup_steps_;
};

/// From {"class_name": "ExponentialDecay", "config": {...}}; NotFoundError for other classes.
SchedulePtr schedule_from_config(const nlohmann::json& config);

}  // namespace nabla
