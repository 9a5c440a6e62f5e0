// Loss reduction, configs and the registry of losses by Keras name.
#include "losses/loss.h"

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <type_traits>

#include "framework/ops/ops.h"
#include "losses/binary_crossentropy.h"
#include "losses/categorical_crossentropy.h"
#include "losses/hinge.h"
#include "losses/huber.h"
#include "losses/kl_divergence.h"
#include "losses/log_cosh.h"
#include "losses/loss_utils.h"
#include "losses/mean_absolute_error.h"
#include "losses/mean_absolute_percentage_error.h"
#include "losses/mean_squared_error.h"
#include "losses/sparse_categorical_crossentropy.h"

namespace nabla {

using json = nlohmann::json;
using LossFactory = std::function<LossPtr(const json& config)>;

Tensor Loss::operator()(const Tensor& y_true, const Tensor& y_pred,
                        const Tensor& sample_weight) const {
  Tensor values = call(y_true, y_pred);
  if (sample_weight.defined()) values = values * loss_utils::weights_like(sample_weight, values);
  // sum / batch size: reduce_mean divides by the element count of the run, so the same node
  // serves every batch size, the last (smaller) batch of an epoch included.
  return reduce_mean(values);
}

json Loss::get_config() const {
  return {{"name", name_}, {"reduction", "sum_over_batch_size"}};
}

namespace {

/// A factory for a loss without arguments of its own.
template <class L>
LossFactory plain() {
  return [](const json& config) -> LossPtr {
    return std::make_shared<L>(loss_utils::name_from_config(config, L().name()));
  };
}

/// A factory for a loss whose options read their own keys of the config.
template <class L>
LossFactory with_options() {
  return [](const json& config) -> LossPtr {
    using Options = std::decay_t<decltype(L().options())>;
    return std::make_shared<L>(Options::from_config(config),
                               loss_utils::name_from_config(config, L().name()));
  };
}

struct Registry {
  std::mutex mutex;
  std::map<std::string, LossFactory> factories;
  std::vector<std::string> names;  // in registration order

  void add(const std::vector<std::string>& aliases, const LossFactory& factory) {
    for (const auto& name : aliases) {
      if (!factories.count(name)) names.push_back(name);
      factories[name] = factory;
    }
  }
};

// Keras's identifiers: function names, legacy aliases and class names ("huber_loss" too, the
// default name of a Huber loss, so that get_loss(loss.name()) always works).
Registry& registry() {
  // Never destroyed, so that lookups stay valid during static destruction.
  static Registry* r = [] {
    auto* r = new Registry;
    r->add({"mean_squared_error", "mse", "MSE", "MeanSquaredError"}, plain<MeanSquaredError>());
    r->add({"mean_absolute_error", "mae", "MAE", "MeanAbsoluteError"}, plain<MeanAbsoluteError>());
    r->add({"mean_absolute_percentage_error", "mape", "MAPE", "MeanAbsolutePercentageError"},
           plain<MeanAbsolutePercentageError>());
    r->add({"huber", "huber_loss", "Huber"}, with_options<Huber>());
    r->add({"log_cosh", "logcosh", "LogCosh"}, plain<LogCosh>());
    r->add({"binary_crossentropy", "bce", "BCE", "BinaryCrossentropy"},
           with_options<BinaryCrossentropy>());
    r->add({"categorical_crossentropy", "CategoricalCrossentropy"},
           with_options<CategoricalCrossentropy>());
    r->add({"sparse_categorical_crossentropy", "SparseCategoricalCrossentropy"},
           with_options<SparseCategoricalCrossentropy>());
    r->add({"kl_divergence", "kld", "KLD", "kullback_leibler_divergence", "KLDivergence"},
           plain<KLDivergence>());
    r->add({"hinge", "Hinge"}, plain<Hinge>());
    return r;
  }();
  return *r;
}

LossPtr make(const std::string& name, const json& config) {
  LossFactory factory;
  {
    Registry& r = registry();
    std::lock_guard<std::mutex> lock(r.mutex);
    auto it = r.factories.find(name);
    if (it == r.factories.end()) throw_unknown("loss", name, r.names);
    factory = it->second;
  }
  return factory(config);
}

}  // namespace

LossPtr get_loss(const std::string& name) {
  return make(name, json::object());
}

LossPtr loss_from_config(const json& config) {
  if (config.is_string()) return get_loss(config.get<std::string>());
  if (!config.is_object() || !config.contains("class_name") || !config["class_name"].is_string())
    throw ValueError("a loss config is a name or {\"class_name\": ..., \"config\": {...}}, got " +
                     config.dump());
  const std::string class_name = config["class_name"].get<std::string>();
  const json inner = config.value("config", json::object());
  // Keras 3 serialises a loss function (compile(loss="mse")) as class "function" whose config
  // is the function's name.
  if (class_name == "function" && inner.is_string()) return get_loss(inner.get<std::string>());
  return make(class_name, inner);
}

void register_loss(const std::vector<std::string>& names,
                   std::function<LossPtr(const json& config)> factory) {
  if (names.empty() || !factory) throw ValueError("register_loss needs names and a factory");
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  r.add(names, factory);
}

std::vector<std::string> loss_names() {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  return r.names;
}

}  // namespace nabla
