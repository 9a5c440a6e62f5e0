#include "losses/options.h"

#include <nlohmann/json.hpp>

namespace nabla {

using json = nlohmann::json;

CrossentropyOptions CrossentropyOptions::from_config(const json& config) {
  CrossentropyOptions options;
  if (!config.is_object()) return options;
  options.from_logits(config.value("from_logits", false))
      .label_smoothing(config.value("label_smoothing", 0.0))
      .axis(config.value("axis", -1));
  if (options.label_smoothing() < 0 || options.label_smoothing() > 1)
    throw ValueError("label_smoothing must be in [0, 1], got " +
                     std::to_string(options.label_smoothing()));
  return options;
}

void CrossentropyOptions::to_config(json& config) const {
  config["from_logits"] = from_logits();
  config["label_smoothing"] = label_smoothing();
  config["axis"] = axis();
}

SparseCategoricalCrossentropyOptions SparseCategoricalCrossentropyOptions::from_config(
    const json& config) {
  SparseCategoricalCrossentropyOptions options;
  if (!config.is_object()) return options;
  options.from_logits(config.value("from_logits", false));
  if (config.contains("ignore_class") && !config["ignore_class"].is_null())
    throw UnimplementedError("sparse_categorical_crossentropy: ignore_class is not supported");
  if (config.value("axis", -1) != -1)
    throw UnimplementedError("sparse_categorical_crossentropy: only axis -1 is supported");
  return options;
}

void SparseCategoricalCrossentropyOptions::to_config(json& config) const {
  config["from_logits"] = from_logits();
  config["ignore_class"] = nullptr;
}

HuberOptions HuberOptions::from_config(const json& config) {
  HuberOptions options;
  if (config.is_object()) options.delta(config.value("delta", options.delta()));
  if (options.delta() < 0)
    throw ValueError("Huber: delta must be non-negative, got " + std::to_string(options.delta()));
  return options;
}

void HuberOptions::to_config(json& config) const {
  config["delta"] = delta();
}

template <class Options>
json LossWithOptions<Options>::get_config() const {
  json config = Loss::get_config();
  options_.to_config(config);
  return config;
}

template class LossWithOptions<CrossentropyOptions>;
template class LossWithOptions<SparseCategoricalCrossentropyOptions>;
template class LossWithOptions<HuberOptions>;

}  // namespace nabla
