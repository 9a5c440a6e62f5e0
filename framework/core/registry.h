// Registry<T>: the one shape of every table of things that configs and files name by a string:
// layers, losses, optimizers, metrics, callbacks, initializers, activations, regularizers and
// learning-rate schedules. Each kind has one global registry holding nabla's built-ins, to which
// users add their own:
//
//     LayerRegistry::global().add("MyLayer", [](const nlohmann::json& config) -> LayerPtr {...});
//     LayerPtr dense = LayerRegistry::global().from_config(
//         {{"class_name", "Dense"}, {"config", {{"units", 8}}}});
//     OptimizerRegistry::global().names();  // {"SGD", "Adam", ...}
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <utility>
#include <vector>

#include "framework/core/errors.h"

namespace nabla {

/// How a registry matches names: exactly, or ignoring case as Keras does for optimizers ("adam",
/// "Adam" and "ADAM" are one).
enum class NameCase { Exact, Insensitive };

namespace detail {
/// `name` with ASCII letters lower-cased.
std::string ascii_lower(std::string name);
/// The class name of a Keras config: {"class_name": ..., "config": {...}}, or a bare name.
/// ValueError naming `kind` for anything else.
std::string keras_class_name(const nlohmann::json& keras_config, const std::string& kind);
/// The "config" object of a Keras config: an empty object for a bare name or when absent.
const nlohmann::json& keras_inner_config(const nlohmann::json& keras_config);
}  // namespace detail

/// Names to entries, for one kind of thing T. An entry is what a name stands for, by default a
/// factory making a T from its Keras config. Names are unique (a second add() replaces the
/// first); aliases share one entry. Lookups of unknown names throw NotFoundError in one format
/// for every kind: "unknown <kind> 'name' (did you mean 'nearest'?); known: a, b, c". Safe to use
/// from several threads.
template <class T, class Entry = std::function<std::shared_ptr<T>(const nlohmann::json& config)>>
class Registry {
 public:
  /// What each name stands for.
  using EntryType = Entry;

  /// An empty registry; `kind` names what it holds in messages ("optimizer", "layer class").
  explicit Registry(std::string kind, NameCase name_case = NameCase::Exact)
      : kind_(std::move(kind)), case_(name_case) {}
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  /// The registry configs and files look names up in, holding nabla's built-ins. Each kind
  /// defines it beside its built-ins (and declares it in its header).
  static Registry& global();

  /// Registers `entry` under `name` and each of `aliases`, replacing what a name stood for.
  void add(const std::string& name, Entry entry, const std::vector<std::string>& aliases = {}) {
    std::vector<std::string> all{name};
    all.insert(all.end(), aliases.begin(), aliases.end());
    std::lock_guard lock(mutex_);
    for (const std::string& n : all) {
      const std::string k = key(n);
      if (!entries_.count(k)) names_.push_back(n);
      entries_[k] = entry;
    }
  }
  /// Whether `name` is registered.
  bool contains(const std::string& name) const {
    std::lock_guard lock(mutex_);
    return entries_.count(key(name)) > 0;
  }
  /// What `name` stands for; NotFoundError with the nearest name when it is not registered.
  Entry get(const std::string& name) const {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key(name));
    if (it == entries_.end()) throw_unknown(kind_, name, candidates());
    return it->second;
  }
  /// Makes one by name: get(name)(args...), called outside the registry's lock (so a factory
  /// may look other names up).
  template <class... Args>
  auto create(const std::string& name, Args&&... args) const {
    return get(name)(std::forward<Args>(args)...);
  }
  /// Makes one from a Keras config, {"class_name": ..., "config": {...}} or a bare name (an
  /// empty config), for the kinds whose entries take a config.
  auto from_config(const nlohmann::json& keras_config) const {
    return create(detail::keras_class_name(keras_config, kind_),
                  detail::keras_inner_config(keras_config));
  }
  /// Every name accepted (aliases too), in the order they were first registered.
  std::vector<std::string> names() const {
    std::lock_guard lock(mutex_);
    return names_;
  }
  /// What the registry holds, as messages name it.
  const std::string& kind() const { return kind_; }
  /// Whether names match exactly or ignoring case.
  NameCase name_case() const { return case_; }

 private:
  std::string key(const std::string& name) const {
    return case_ == NameCase::Insensitive ? detail::ascii_lower(name) : name;
  }
  // The names an unknown one is compared with: as registered, or in lower case where case does
  // not matter (Keras's identifiers: "adam", "rmsprop").
  std::vector<std::string> candidates() const {
    if (case_ == NameCase::Exact) return names_;
    std::vector<std::string> keys;
    for (const std::string& n : names_) keys.push_back(key(n));
    return keys;
  }

  std::string kind_;
  NameCase case_;
  mutable std::mutex mutex_;
  std::vector<std::string> names_;        // as first registered
  std::map<std::string, Entry> entries_;  // by key()
};

}  // namespace nabla
