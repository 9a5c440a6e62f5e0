// The callback registry and the built-in callbacks' configs (TensorBoard's is in
// tensorboard_config.cc).
#include "framework/keras/callback_config.h"

#include <algorithm>
#include <filesystem>

#include "framework/core/errors.h"
#include "framework/keras/callback_config_reader.h"

namespace nabla {
namespace detail {

namespace {

std::string type_name(const nlohmann::json& j) {
  if (j.is_null()) return "null";
  if (j.is_boolean()) return "a boolean";
  if (j.is_number()) return "a number";
  if (j.is_string()) return "a string";
  if (j.is_array()) return "a list";
  return "an object";
}

}  // namespace

std::string expected(const std::string& what, const nlohmann::json& got) {
  return "expected " + what + ", got " + (got.is_primitive() ? got.dump() : type_name(got));
}

CallbackConfigReader::CallbackConfigReader(const nlohmann::json& config,
                                           const std::string& class_name,
                                           const CallbackConfigOptions& options,
                                           std::vector<std::string> keys)
    : config_(config),
      options_(options),
      path_(options.path().empty() ? class_name + ".config" : options.path()) {
  if (!config_.is_object()) throw ValueError(path_ + ": " + expected("an object", config_));
  for (const auto& [k, v] : config_.items())
    if (std::find(keys.begin(), keys.end(), k) == keys.end())
      fail(k, "unknown key" + did_you_mean(k, keys));
}

void CallbackConfigReader::fail(const std::string& key, const std::string& problem) const {
  throw ValueError(path_ + "." + key + ": " + problem);
}

const nlohmann::json& CallbackConfigReader::raw(const char* key) const {
  static const nlohmann::json null;
  auto it = config_.find(key);
  return it == config_.end() ? null : *it;
}

double CallbackConfigReader::number(const char* key, double fallback) const {
  const nlohmann::json& v = raw(key);
  if (v.is_null()) return fallback;
  if (!v.is_number()) fail(key, expected("a number", v));
  return v.get<double>();
}

int CallbackConfigReader::integer(const char* key, int fallback) const {
  if (!has(key)) return fallback;
  if (!raw(key).is_number_integer()) fail(key, expected("an integer", raw(key)));
  return raw(key).get<int>();
}

bool CallbackConfigReader::boolean(const char* key, bool fallback) const {
  if (!has(key)) return fallback;
  if (!raw(key).is_boolean()) fail(key, expected("true or false", raw(key)));
  return raw(key).get<bool>();
}

std::string CallbackConfigReader::string(const char* key, const std::string& fallback) const {
  if (!has(key)) return fallback;
  if (!raw(key).is_string()) fail(key, expected("a string", raw(key)));
  return raw(key).get<std::string>();
}

MonitorMode CallbackConfigReader::mode() const {
  const std::string m = string("mode", "auto");
  if (m == "auto") return MonitorMode::Auto;
  if (m == "min") return MonitorMode::Min;
  if (m == "max") return MonitorMode::Max;
  fail("mode", "expected \"auto\", \"min\" or \"max\", got \"" + m + "\"");
}

std::string CallbackConfigReader::file(const char* key, const std::string& fallback) const {
  std::filesystem::path path(string(key, fallback));
  if (path.is_relative() && !options_.base_dir().empty())
    path = std::filesystem::path(options_.base_dir()) / path;
  return path.string();
}

}  // namespace detail

namespace {

using detail::CallbackConfigReader;
using nlohmann::json;

CallbackPtr early_stopping(const json& config, const CallbackConfigOptions& options) {
  CallbackConfigReader c(config, "EarlyStopping", options,
                         {"monitor", "min_delta", "patience", "mode", "baseline",
                          "restore_best_weights", "start_from_epoch", "verbose"});
  EarlyStoppingOptions o;
  o.monitor(c.string("monitor", o.monitor()));
  o.min_delta(c.number("min_delta", o.min_delta()));
  o.patience(c.integer("patience", o.patience()));
  o.mode(c.mode());
  if (!c.raw("baseline").is_null()) o.baseline(c.number("baseline", 0));
  o.restore_best_weights(c.boolean("restore_best_weights", o.restore_best_weights()));
  o.start_from_epoch(c.integer("start_from_epoch", o.start_from_epoch()));
  o.verbose(c.integer("verbose", o.verbose()));
  return std::make_shared<EarlyStopping>(o);
}

CallbackPtr reduce_lr_on_plateau(const json& config, const CallbackConfigOptions& options) {
  CallbackConfigReader c(
      config, "ReduceLROnPlateau", options,
      {"monitor", "factor", "patience", "mode", "min_delta", "cooldown", "min_lr", "verbose"});
  ReduceLROnPlateauOptions o;
  o.monitor(c.string("monitor", o.monitor()));
  o.factor(c.number("factor", o.factor()));
  o.patience(c.integer("patience", o.patience()));
  o.mode(c.mode());
  o.min_delta(c.number("min_delta", o.min_delta()));
  o.cooldown(c.integer("cooldown", o.cooldown()));
  o.min_lr(c.number("min_lr", o.min_lr()));
  o.verbose(c.integer("verbose", o.verbose()));
  return std::make_shared<ReduceLROnPlateau>(o);
}

CallbackPtr model_checkpoint(const json& config, const CallbackConfigOptions& options) {
  CallbackConfigReader c(
      config, "ModelCheckpoint", options,
      {"filepath", "monitor", "save_best_only", "save_weights_only", "mode", "verbose"});
  ModelCheckpointOptions o;
  o.attributes(options.attributes());
  o.monitor(c.string("monitor", o.monitor()));
  o.save_best_only(c.boolean("save_best_only", o.save_best_only()));
  o.save_weights_only(c.boolean("save_weights_only", o.save_weights_only()));
  o.mode(c.mode());
  o.verbose(c.integer("verbose", o.verbose()));
  return std::make_shared<ModelCheckpoint>(c.file("filepath", "checkpoint-{epoch:02d}.h5"), o);
}

CallbackPtr csv_logger(const json& config, const CallbackConfigOptions& options) {
  CallbackConfigReader c(config, "CSVLogger", options, {"filename", "separator", "append"});
  const std::string file = c.file("filename", "training.log.csv");
  const std::string separator = c.string("separator", ",");
  return std::make_shared<CSVLogger>(file, separator.empty() ? ',' : separator[0],
                                     c.boolean("append", false));
}

CallbackPtr terminate_on_nan(const json& config, const CallbackConfigOptions& options) {
  CallbackConfigReader c(config, "TerminateOnNaN", options, {});
  return std::make_shared<TerminateOnNaN>();
}

}  // namespace

template <>
CallbackRegistry& CallbackRegistry::global() {
  // Never destroyed, so that lookups stay valid during static destruction.
  static CallbackRegistry* r = [] {
    auto* r = new CallbackRegistry("callback");
    r->add("EarlyStopping", early_stopping);
    r->add("ReduceLROnPlateau", reduce_lr_on_plateau);
    r->add("ModelCheckpoint", model_checkpoint);
    r->add("CSVLogger", csv_logger);
    r->add("TerminateOnNaN", terminate_on_nan);
    r->add("TensorBoard", detail::tensorboard_from_config);
    return r;
  }();
  return *r;
}

CallbackPtr callback_from_config(const nlohmann::json& keras_config,
                                 const CallbackConfigOptions& options) {
  const CallbackRegistry& registry = CallbackRegistry::global();
  return registry.create(detail::keras_class_name(keras_config, registry.kind()),
                         detail::keras_inner_config(keras_config), options);
}

}  // namespace nabla
