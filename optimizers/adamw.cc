#include "optimizers/adamw.h"

#include "optimizers/config_reader.h"

namespace nabla {

AdamW::AdamW(double learning_rate) : AdamW(AdamWOptions(learning_rate)) {}

namespace {

// The Adam arguments of AdamW's options.
AdamOptions as_adam(const AdamWOptions& o) {
  return AdamOptions()
      .common(o.common())
      .beta_1(o.beta_1())
      .beta_2(o.beta_2())
      .epsilon(o.epsilon())
      .amsgrad(o.amsgrad());
}

}  // namespace

AdamW::AdamW(const AdamWOptions& options)
    : Adam(options.name().empty() ? "adam_w" : options.name(), as_adam(options)) {
  if (!options.weight_decay()) throw ValueError("AdamW: weight_decay must be a number, got none");
}

OptimizerPtr AdamW::from_config(const nlohmann::json& config) {
  return detail::optimizer_from_keras_config<AdamW, AdamWOptions>(
      "AdamW", config, [](detail::ConfigReader& r, AdamWOptions& o) { read_adam_args(r, o); });
}

}  // namespace nabla
