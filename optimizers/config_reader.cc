#include "optimizers/config_reader.h"

#include "framework/core/errors.h"

namespace nabla::detail {

ConfigReader::ConfigReader(std::string what, const nlohmann::json& config)
    : what_(std::move(what)), config_(config.is_null() ? nlohmann::json::object() : config) {
  if (!config_.is_object()) throw ValueError(what_ + " must be an object, got " + config.dump());
}

std::string ConfigReader::message(const std::string& key, const std::string& problem) const {
  return what_ + ": '" + key + "' " + problem;
}

const nlohmann::json& ConfigReader::take(const std::string& key) {
  static const nlohmann::json null;
  read_.insert(key);
  auto it = config_.find(key);
  return it == config_.end() ? null : *it;
}

double ConfigReader::number(const std::string& key, double fallback) {
  const nlohmann::json& v = take(key);
  if (v.is_null()) return fallback;
  if (!v.is_number()) throw ValueError(message(key, "must be a number, got " + v.dump()));
  return v.get<double>();
}

double ConfigReader::number(const std::string& key) {
  if (take(key).is_null()) throw ValueError(message(key, "is required"));
  return number(key, 0.0);
}

int64_t ConfigReader::integer(const std::string& key) {
  if (take(key).is_null()) throw ValueError(message(key, "is required"));
  return integer(key, 0);
}

std::vector<double> ConfigReader::numbers(const std::string& key) {
  const nlohmann::json& v = take(key);
  if (v.is_null()) throw ValueError(message(key, "is required"));
  bool ok = v.is_array();
  for (const auto& x : v) ok = ok && x.is_number();
  if (!ok) throw ValueError(message(key, "must be a list of numbers, got " + v.dump()));
  return v.get<std::vector<double>>();
}

std::optional<double> ConfigReader::optional_number(const std::string& key,
                                                    std::optional<double> fallback) {
  const bool present = has(key);
  const bool null = take(key).is_null();
  if (!present) return fallback;
  if (null) return std::nullopt;
  return number(key, 0.0);
}

int64_t ConfigReader::integer(const std::string& key, int64_t fallback) {
  const double v = number(key, static_cast<double>(fallback));
  if (v != static_cast<double>(static_cast<int64_t>(v)))
    throw ValueError(message(key, "must be an integer, got " + config_[key].dump()));
  return static_cast<int64_t>(v);
}

bool ConfigReader::boolean(const std::string& key, bool fallback) {
  const nlohmann::json& v = take(key);
  if (v.is_null()) return fallback;
  if (!v.is_boolean()) throw ValueError(message(key, "must be true or false, got " + v.dump()));
  return v.get<bool>();
}

std::string ConfigReader::string(const std::string& key, const std::string& fallback) {
  const nlohmann::json& v = take(key);
  if (v.is_null()) return fallback;
  if (!v.is_string()) throw ValueError(message(key, "must be a string, got " + v.dump()));
  return v.get<std::string>();
}

void ConfigReader::finish() const {
  for (const auto& [key, value] : config_.items())
    if (!read_.count(key)) throw ValueError(message(key, "is not a known argument"));
}

void read_common_config(ConfigReader& r, OptimizerOptions& options) {
  options.name(r.string("name", options.name()));
  if (r.has("lr") && r.has("learning_rate"))
    throw ValueError(r.message("lr", "and 'learning_rate' are the same argument; give one"));
  const std::string lr_key = r.has("lr") ? "lr" : "learning_rate";
  if (r.take(lr_key).is_object())
    options.schedule(schedule_from_config(r.take(lr_key)));
  else
    options.learning_rate(r.number(lr_key, options.learning_rate()));
  options.weight_decay(r.optional_number("weight_decay", options.weight_decay()));
  options.clipnorm(r.optional_number("clipnorm", options.clipnorm()));
  options.clipvalue(r.optional_number("clipvalue", options.clipvalue()));
  options.global_clipnorm(r.optional_number("global_clipnorm", options.global_clipnorm()));

  // Keras features nabla does not have: accepted when off, as every saved config has them.
  if (r.boolean("use_ema", false))
    throw UnimplementedError(r.message("use_ema", "true is not supported (EMA of weights)"));
  if (r.optional_number("decay", std::nullopt).value_or(0.0) != 0.0)
    throw ValueError(r.message("decay", "is not supported; use a learning-rate schedule"));
  for (const char* key : {"loss_scale_factor", "gradient_accumulation_steps"})
    if (!r.take(key).is_null())
      throw UnimplementedError(r.message(key, "is not supported; it must be null"));
  for (const char* ignored :
       {"ema_momentum", "ema_overwrite_frequency", "jit_compile", "is_legacy_optimizer"})
    r.take(ignored);
}

}  // namespace nabla::detail
