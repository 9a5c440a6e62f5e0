#include "optimizers/adamw.h"

#include "optimizers/config_reader.h"

namespace nabla {

AdamW::AdamW(double learning_rate) : AdamW(AdamWOptions(learning_rate)) {}

AdamW::AdamW(const AdamWOptions& options)
    : Adam(options.name().empty() ? "adam_w" : options.name(), options.common(),
           options.adam_args()) {
  if (!options.common().weight_decay)
    throw ValueError("AdamW: weight_decay must be a number, got none");
}

OptimizerPtr AdamW::from_config(const nlohmann::json& config) {
  return detail::optimizer_from_keras_config<AdamW, AdamWOptions>(
      "AdamW", config,
      [](detail::ConfigReader& r, AdamWOptions& o) { o.adam_args(read_args(r, o.adam_args())); });
}

}  // namespace nabla
