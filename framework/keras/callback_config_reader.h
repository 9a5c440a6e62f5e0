// Reading one callback's config key by key, for the callback registry's factories. Internal to
// framework/keras.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "framework/keras/callback_config.h"

namespace nabla::detail {

/// The keys of one callback config. Keys outside those the class takes, and values of the wrong
/// type, are ValueErrors "<path>.<key>: <problem>" (path from CallbackConfigOptions).
class CallbackConfigReader {
 public:
  /// ValueError naming the first key of `config` that is not in `keys` (with the nearest one).
  CallbackConfigReader(const nlohmann::json& config, const std::string& class_name,
                       const CallbackConfigOptions& options, std::vector<std::string> keys);

  /// A number (null counts as absent).
  double number(const char* key, double fallback) const;
  /// An integer (a JSON integer).
  int integer(const char* key, int fallback) const;
  bool boolean(const char* key, bool fallback) const;
  std::string string(const char* key, const std::string& fallback) const;
  /// "auto", "min" or "max" under "mode".
  MonitorMode mode() const;
  /// A file path, made relative to the options' base_dir when it is relative.
  std::string file(const char* key, const std::string& fallback) const;
  /// Whether the config has `key` (null included).
  bool has(const char* key) const { return config_.contains(key); }
  /// The value of `key` (null when absent).
  const nlohmann::json& raw(const char* key) const;
  /// A ValueError "<path>.<key>: <problem>".
  [[noreturn]] void fail(const std::string& key, const std::string& problem) const;
  /// The options the callback is made with.
  const CallbackConfigOptions& options() const { return options_; }

 private:
  const nlohmann::json& config_;
  const CallbackConfigOptions& options_;
  std::string path_;
};

/// "expected a number, got \"fast\"": what a value should have been, and what it was.
std::string expected(const std::string& what, const nlohmann::json& got);

/// The TensorBoard entry of the registry (tensorboard_config.cc).
CallbackPtr tensorboard_from_config(const nlohmann::json& config,
                                    const CallbackConfigOptions& options);

}  // namespace nabla::detail
