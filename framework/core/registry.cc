#include "framework/core/registry.h"

#include <cctype>
#include <nlohmann/json.hpp>

namespace nabla::detail {

std::string ascii_lower(std::string name) {
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

std::string keras_class_name(const nlohmann::json& keras_config, const std::string& kind) {
  if (keras_config.is_string()) return keras_config.get<std::string>();
  if (keras_config.is_object() && keras_config.contains("class_name") &&
      keras_config["class_name"].is_string())
    return keras_config["class_name"].get<std::string>();
  const char* article =
      std::string("aeiou").find(kind.empty() ? 'x' : kind[0]) == std::string::npos ? "a " : "an ";
  throw ValueError(article + kind +
                   " config is a name or {\"class_name\": ..., \"config\": {...}}, got " +
                   keras_config.dump());
}

const nlohmann::json& keras_inner_config(const nlohmann::json& keras_config) {
  static const nlohmann::json empty = nlohmann::json::object();
  if (!keras_config.is_object()) return empty;
  auto it = keras_config.find("config");
  return it == keras_config.end() || it->is_null() ? empty : *it;
}

}  // namespace nabla::detail
