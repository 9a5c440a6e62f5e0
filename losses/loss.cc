// Loss reduction, configs and the registry of losses by Keras name.
#include "losses/loss.h"

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

}  // namespace

// Keras's identifiers: function names, legacy aliases and class names ("huber_loss" too, the
// default name of a Huber loss, so that get_loss(loss.name()) always works).
template <>
LossRegistry& LossRegistry::global() {
  // Never destroyed, so that lookups stay valid during static destruction.
  static LossRegistry* r = [] {
    auto* r = new LossRegistry("loss");
    r->add("mean_squared_error", plain<MeanSquaredError>(), {"mse", "MSE", "MeanSquaredError"});
    r->add("mean_absolute_error", plain<MeanAbsoluteError>(), {"mae", "MAE", "MeanAbsoluteError"});
    r->add("mean_absolute_percentage_error", plain<MeanAbsolutePercentageError>(),
           {"mape", "MAPE", "MeanAbsolutePercentageError"});
    r->add("huber", with_options<Huber>(), {"huber_loss", "Huber"});
    r->add("log_cosh", plain<LogCosh>(), {"logcosh", "LogCosh"});
    r->add("binary_crossentropy", with_options<BinaryCrossentropy>(),
           {"bce", "BCE", "BinaryCrossentropy"});
    r->add("categorical_crossentropy", with_options<CategoricalCrossentropy>(),
           {"CategoricalCrossentropy"});
    r->add("sparse_categorical_crossentropy", with_options<SparseCategoricalCrossentropy>(),
           {"SparseCategoricalCrossentropy"});
    r->add("kl_divergence", plain<KLDivergence>(),
           {"kld", "KLD", "kullback_leibler_divergence", "KLDivergence"});
    r->add("hinge", plain<Hinge>(), {"Hinge"});
    return r;
  }();
  return *r;
}

LossPtr get_loss(const std::string& name) {
  return LossRegistry::global().create(name, json::object());
}

LossPtr loss_from_config(const json& config) {
  const std::string class_name = detail::keras_class_name(config, "loss");
  const json& inner = detail::keras_inner_config(config);
  // Keras 3 serialises a loss function (compile(loss="mse")) as class "function" whose config
  // is the function's name.
  if (class_name == "function" && inner.is_string()) return get_loss(inner.get<std::string>());
  return LossRegistry::global().create(class_name, inner);
}

void register_loss(const std::vector<std::string>& names,
                   std::function<LossPtr(const json& config)> factory) {
  if (names.empty() || !factory) throw ValueError("register_loss needs names and a factory");
  LossRegistry::global().add(names.front(), std::move(factory), {names.begin() + 1, names.end()});
}

std::vector<std::string> loss_names() {
  return LossRegistry::global().names();
}

}  // namespace nabla
