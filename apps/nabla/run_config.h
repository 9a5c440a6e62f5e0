// The JSON config of a nabla run: parsed, checked key by key, with relative paths resolved.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace nabla::cli {

/// A problem with the config or the command line: exit code 2 and one line naming the JSON path
/// of the offending key, e.g. `compile.optimizer.config.learning_rate: expected a number, got
/// "fast"`.
class ConfigError : public std::runtime_error {
 public:
  ConfigError(const std::string& path, const std::string& message)
      : std::runtime_error(path.empty() ? message : path + ": " + message) {}
};

/// Where one split of the data comes from (data.train, data.test, data.validation).
struct DataSource {
  std::string path;               // JSON path, for messages ("data.train")
  std::string format;             // csv, idx, npy, hdf5
  nlohmann::json spec;            // the source's JSON, file paths made absolute
  bool allow_non_finite = false;  // data.allow_non_finite: CSV NaN and infinities accepted
};

/// A checked config. `json` is the whole config as resolved (defaults filled in, command-line
/// flags applied, file paths absolute): it is what `config.json` in the output directory holds.
struct RunConfig {
  nlohmann::json json;
  std::filesystem::path base_dir;  // paths in the file are relative to it

  uint64_t seed() const { return json.at("seed").get<uint64_t>(); }
  const nlohmann::json& model() const { return json.at("model"); }
  const nlohmann::json& compile() const { return json.at("compile"); }
  const nlohmann::json& fit() const { return json.at("fit"); }
  const nlohmann::json& callbacks() const { return json.at("callbacks"); }
  std::string output_dir() const { return json.at("output").at("dir").get<std::string>(); }
  /// "h5" (model.h5, Keras 2's legacy layout) or "keras" (model.keras, Keras 3's archive).
  std::string output_format() const { return json.at("output").at("format").get<std::string>(); }
  std::string device() const { return json.at("device").get<std::string>(); }
  std::optional<DataSource> data(const std::string& split) const;
  double validation_split() const { return json.at("data").value("validation_split", 0.0); }
  double scale() const { return json.at("data").value("scale", 1.0); }
  bool standardize() const { return json.at("data").value("standardize", false); }
  bool allow_non_finite() const { return json.at("data").value("allow_non_finite", false); }
};

/// Reads and checks CONFIG.json: unknown keys (with the nearest valid key suggested), wrong
/// types, missing files, unknown class names. Throws ConfigError with the JSON path.
RunConfig load_config(const std::string& file);

/// "expected a number, got \"fast\"".
std::string expected(const std::string& what, const nlohmann::json& got);

/// "a, b, c".
std::string join(const std::vector<std::string>& names);

}  // namespace nabla::cli
