// Reading Keras configs key by key, so that a key nobody asked for is reported instead of being
// silently dropped. Internal to optimizers/: public headers only forward-declare it.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "optimizers/optimizer.h"

namespace nabla::detail {

/// The keys of one config object. Each getter marks its key as read and returns the fallback
/// when the key is absent; a value of the wrong type is a ValueError naming the key.
class ConfigReader {
 public:
  /// `what` starts every message, e.g. "Adam config".
  ConfigReader(std::string what, const nlohmann::json& config);

  bool has(const std::string& key) const { return config_.contains(key); }
  /// The raw value (null when absent), marked as read. The getters below treat null as absent.
  const nlohmann::json& take(const std::string& key);
  double number(const std::string& key, double fallback);
  /// A number that must be there (ValueError when absent or null).
  double number(const std::string& key);
  int64_t integer(const std::string& key);
  /// A list of numbers that must be there.
  std::vector<double> numbers(const std::string& key);
  /// A number or null (absent: `fallback`).
  std::optional<double> optional_number(const std::string& key, std::optional<double> fallback);
  int64_t integer(const std::string& key, int64_t fallback);
  bool boolean(const std::string& key, bool fallback);
  std::string string(const std::string& key, const std::string& fallback);
  /// ValueError naming the first key no getter read.
  void finish() const;
  /// A ValueError message about `key`: "<what>: 'key' <problem>".
  std::string message(const std::string& key, const std::string& problem) const;

 private:
  std::string what_;
  nlohmann::json config_;
  std::set<std::string> read_;
};

/// Reads the arguments every optimizer takes (learning_rate or its old name lr, the clipping
/// arguments, weight_decay, name) into `options`, whose values are the defaults. Keys of Keras
/// features nabla lacks are accepted only with the value that turns them off.
void read_common_config(ConfigReader& reader, OptimizerOptions& options);

/// read_common_config for one optimizer's options struct (see NABLA_OPTIMIZER_ARGS).
template <class Options>
void read_common_config(ConfigReader& reader, Options& options) {
  OptimizerOptions common = options.common();
  read_common_config(reader, common);
  options.common(common);
}

/// An optimizer of class O from the "config" object of a Keras config: the common arguments,
/// then its own, which `read_own(reader, options)` reads into its Options.
template <class O, class Options, class ReadOwn>
OptimizerPtr optimizer_from_keras_config(const std::string& class_name,
                                         const nlohmann::json& config, ReadOwn read_own) {
  ConfigReader reader(class_name + " config", config);
  Options options;
  read_common_config(reader, options);
  read_own(reader, options);
  reader.finish();
  return std::make_shared<O>(options);
}

}  // namespace nabla::detail
