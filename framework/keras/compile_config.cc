#include "framework/keras/compile_config.h"

#include <nlohmann/json.hpp>

#include "framework/core/errors.h"

namespace nabla {
namespace {

using json = nlohmann::json;

// A metric as Keras serializes it: a name, or {"class_name", "config": {"name"}}; nested in a
// one-element list by Keras 2. tf-keras names the metrics of a model with several outputs after
// the output ("class_out_accuracy") and says what they compute in "fn" of a MeanMetricWrapper.
// Metrics nabla cannot name are skipped.
void add_metric(const json& m, std::vector<MetricRef>& out) {
  const json& item = m.is_array() && !m.empty() ? m[0] : m;
  if (item.is_string()) {
    out.emplace_back(item.get<std::string>());
  } else if (item.is_object() && item.contains("config") && item["config"].is_object() &&
             item["config"].contains("fn") && item["config"]["fn"].is_string()) {
    out.emplace_back(item["config"]["fn"].get<std::string>());
  } else if (item.is_object() && item.contains("config") && item["config"].contains("name") &&
             item["config"]["name"].is_string()) {
    out.emplace_back(item["config"]["name"].get<std::string>());
  }
}

std::vector<MetricRef> metric_list(const json& j) {
  std::vector<MetricRef> out;
  if (j.is_array())
    for (const json& m : j) add_metric(m, out);
  return out;
}

}  // namespace

void compile_from_config(Model& model, const json& config, Device device) {
  const json& optimizer =
      config.contains("optimizer_config") ? config.at("optimizer_config") : config.at("optimizer");
  const json loss = config.value("loss", json());
  const json metrics = config.value("metrics", json());
  const json weights = config.value("loss_weights", json());
  const std::vector<std::string> outputs = model.output_names();
  auto per_output = [&](const json& j, const char* what) {
    // A list in output order or an object by output name, as a map by output name.
    std::map<std::string, json> out;
    if (j.is_object()) {
      for (const auto& [k, v] : j.items()) out[k] = v;
    } else if (j.is_array()) {
      if (j.size() != outputs.size())
        throw ValueError(std::string(what) + ": " + std::to_string(j.size()) + " entries for " +
                         std::to_string(outputs.size()) + " outputs");
      for (size_t o = 0; o < outputs.size(); ++o) out[outputs[o]] = j[o];
    }
    return out;
  };
  const bool one_loss = loss.is_string() || (loss.is_object() && loss.contains("class_name"));
  if (one_loss && !weights.is_object() && !weights.is_array() && !metrics.is_object() &&
      !(outputs.size() > 1 && metrics.is_array() && !metrics.empty() && metrics[0].is_array())) {
    model.compile(optimizer_from_config(optimizer), loss_from_config(loss), metric_list(metrics),
                  device);
    return;
  }
  std::map<std::string, LossRef> losses;
  if (one_loss) {
    for (const std::string& o : outputs) losses.emplace(o, loss_from_config(loss));
  } else {
    for (const auto& [o, l] : per_output(loss, "loss")) losses.emplace(o, loss_from_config(l));
  }
  std::map<std::string, std::vector<MetricRef>> metric_map;
  if (metrics.is_object() || (metrics.is_array() && !metrics.empty() && metrics[0].is_array())) {
    for (const auto& [o, m] : per_output(metrics, "metrics")) metric_map[o] = metric_list(m);
  } else {
    for (const std::string& o : outputs) metric_map[o] = metric_list(metrics);
  }
  std::map<std::string, double> weight_map;
  for (const auto& [o, w] : per_output(weights, "loss_weights"))
    if (w.is_number()) weight_map[o] = w.get<double>();
  model.compile(optimizer_from_config(optimizer), losses, metric_map, weight_map, device);
}

}  // namespace nabla
