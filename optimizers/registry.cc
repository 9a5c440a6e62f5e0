// The registry of optimizer classes: lookup by (case-insensitive) Keras class name and configs.
#include <algorithm>
#include <cctype>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>

#include "optimizers/adagrad.h"
#include "optimizers/adam.h"
#include "optimizers/adamw.h"
#include "optimizers/nadam.h"
#include "optimizers/optimizer.h"
#include "optimizers/rmsprop.h"
#include "optimizers/sgd.h"

namespace nabla {
namespace {

using Factory = std::function<OptimizerPtr(const nlohmann::json& config)>;

struct Registered {
  std::string class_name;
  Factory factory;
};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Keyed by the lower-case class name, which is also the Keras alias ("adam", "rmsprop").
struct Registry {
  std::mutex mutex;
  std::map<std::string, Registered> entries;

  Registry() {
    const std::pair<const char*, Factory> builtins[] = {
        {"SGD", SGD::from_config},         {"Adam", Adam::from_config},
        {"AdamW", AdamW::from_config},     {"RMSprop", RMSprop::from_config},
        {"Adagrad", Adagrad::from_config}, {"Nadam", Nadam::from_config},
    };
    for (const auto& [name, factory] : builtins) entries[lower(name)] = {name, factory};
  }
};

Registry& registry() {
  static Registry r;
  return r;
}

}  // namespace

void register_optimizer(const std::string& class_name, Factory factory) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  r.entries[lower(class_name)] = {class_name, std::move(factory)};
}

std::vector<std::string> optimizer_names() {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  std::vector<std::string> names;
  for (const auto& [key, entry] : r.entries) names.push_back(entry.class_name);
  std::sort(names.begin(), names.end());
  return names;
}

OptimizerPtr get_optimizer(const std::string& name) {
  return optimizer_from_config(name);
}

OptimizerPtr optimizer_from_config(const nlohmann::json& config) {
  if (!config.is_string() &&
      !(config.is_object() && config.contains("class_name") && config["class_name"].is_string()))
    throw ValueError(
        "an optimizer config is a class name or {\"class_name\": ..., \"config\": "
        "{...}}, got " +
        config.dump());
  std::string class_name =
      config.is_string() ? config.get<std::string>() : config["class_name"].get<std::string>();
  // tf-keras 2 writes registered classes as "Package>Name".
  if (auto gt = class_name.rfind('>'); gt != std::string::npos) class_name.erase(0, gt + 1);
  Factory factory;
  {
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    auto it = r.entries.find(lower(class_name));
    if (it == r.entries.end()) {
      std::vector<std::string> known;
      for (const auto& [key, entry] : r.entries) known.push_back(key);
      throw_unknown("optimizer", class_name, known);
    }
    factory = it->second.factory;
  }
  const nlohmann::json empty = nlohmann::json::object();
  return factory(config.is_object() ? config.value("config", empty) : empty);
}

}  // namespace nabla
