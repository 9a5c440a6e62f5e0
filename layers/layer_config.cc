#include "layers/layer_config.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "framework/core/errors.h"
#include "framework/core/random.h"
#include "framework/ops/dispatch.h"

namespace nabla {
namespace {
// Keys Keras writes for every layer (Keras 2 and 3), which need no handling of their own.
const char* const kCommonKeys[] = {"name",
                                   "trainable",
                                   "dtype",
                                   "batch_input_shape",
                                   "batch_shape",
                                   "input_shape",
                                   "build_config",
                                   "sparse",
                                   "ragged",
                                   "input_dtype",
                                   "autocast",
                                   "synchronized",
                                   "kernel_constraint",
                                   "bias_constraint",
                                   "beta_constraint",
                                   "gamma_constraint",
                                   "quantization_config",
                                   "lora_rank",
                                   "lora_alpha",
                                   "noise_shape"};
}  // namespace

LayerConfigReader::LayerConfigReader(const nlohmann::json& config, std::string layer_class,
                                     std::initializer_list<const char*> keys)
    : config_(config), class_(std::move(layer_class)) {
  if (!config_.is_object())
    throw ValueError(class_ + " config must be an object, got " + config_.dump());
  std::vector<std::string> known(keys.begin(), keys.end());
  for (const char* k : kCommonKeys) known.emplace_back(k);
  for (const auto& [key, value] : config_.items()) {
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    throw ValueError(class_ + " config has an unknown key '" + key + "'" +
                     did_you_mean(key, known));
  }
  for (const char* c :
       {"kernel_constraint", "bias_constraint", "beta_constraint", "gamma_constraint"})
    if (config_.contains(c) && !config_[c].is_null())
      throw UnimplementedError(class_ + " config: '" + c +
                               "' is not supported by nabla (only null)");
  if (config_.contains("noise_shape") && !config_["noise_shape"].is_null())
    throw UnimplementedError(class_ +
                             " config: 'noise_shape' is not supported by nabla (only null)");
}

void LayerConfigReader::bad(const char* key, const std::string& expected) const {
  throw ValueError(class_ + " config: '" + key + "' must be " + expected + ", got " +
                   (config_.contains(key) ? config_[key].dump() : std::string("nothing")));
}

int64_t LayerConfigReader::integer(const char* key) const {
  if (!config_.contains(key) || !config_[key].is_number_integer()) bad(key, "an integer");
  return config_[key].get<int64_t>();
}

int64_t LayerConfigReader::integer(const char* key, int64_t fallback) const {
  if (!config_.contains(key) || config_[key].is_null()) return fallback;
  return integer(key);
}

double LayerConfigReader::number(const char* key, double fallback) const {
  if (!config_.contains(key) || config_[key].is_null()) return fallback;
  if (!config_[key].is_number()) bad(key, "a number");
  return config_[key].get<double>();
}

bool LayerConfigReader::boolean(const char* key, bool fallback) const {
  if (!config_.contains(key) || config_[key].is_null()) return fallback;
  if (!config_[key].is_boolean()) bad(key, "true or false");
  return config_[key].get<bool>();
}

double LayerConfigReader::keras_float(const char* key, double fallback) const {
  return narrowed_float(number(key, fallback));
}

std::vector<int64_t> LayerConfigReader::axes(const char* key, std::vector<int64_t> fallback) const {
  if (!config_.contains(key) || config_[key].is_null()) return fallback;
  const auto& v = config_[key];
  if (v.is_number_integer()) return {v.get<int64_t>()};
  std::vector<int64_t> out;
  if (v.is_array())
    for (const auto& a : v) {
      if (!a.is_number_integer()) bad(key, "an integer or a list of integers");
      out.push_back(a.get<int64_t>());
    }
  else
    bad(key, "an integer or a list of integers");
  return out;
}

uint64_t LayerConfigReader::seed(const char* key) const {
  if (!config_.contains(key) || config_[key].is_null()) return 0;
  if (!config_[key].is_number_integer() || config_[key].get<int64_t>() < 0)
    bad(key, "a non-negative integer or null");
  return config_[key].get<uint64_t>();
}

int64_t LayerConfigReader::axis(const char* key, int64_t fallback) const {
  if (!config_.contains(key) || config_[key].is_null()) return fallback;
  const auto& v = config_[key];
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_array() && v.size() == 1 && v[0].is_number_integer()) return v[0].get<int64_t>();
  bad(key, "an axis (an integer or a list of one)");
}

nlohmann::json LayerConfigReader::raw(const char* key, const nlohmann::json& fallback) const {
  if (!config_.contains(key) || config_[key].is_null()) return fallback;
  return config_[key];
}

std::string LayerConfigReader::name() const {
  if (!config_.contains("name") || config_["name"].is_null()) return "";
  if (!config_["name"].is_string()) bad("name", "a string");
  return config_["name"].get<std::string>();
}

void LayerConfigReader::apply_common(Layer& layer) const {
  layer.set_trainable(boolean("trainable", true));
  for (const char* key : {"batch_input_shape", "batch_shape"})
    if (config_.contains(key) && !config_[key].is_null())
      layer.set_build_input_shape(shape_from_json(config_[key], class_ + " config '" + key + "'"));
  if (config_.contains("input_shape") && !config_["input_shape"].is_null())
    layer.set_build_input_shape(
        shape_from_json(config_["input_shape"], class_ + " config 'input_shape'").inserted(0, -1));
}

uint64_t layer_seed(uint64_t seed, const std::string& layer_class) {
  if (seed > static_cast<uint64_t>(INT64_MAX))
    throw ValueError(layer_class + " seed must be below 2^63 (Keras keeps seeds as int64), got " +
                     std::to_string(seed));
  if (seed != 0) return seed;
  const uint64_t drawn = next_seed() >> 1;
  return drawn != 0 ? drawn : 1;
}

double narrowed_float(double value) {
  const auto f = static_cast<float>(value);
  if (!std::isfinite(value) || static_cast<double>(f) != value) return value;
  // The shortest decimal that reads back as this float32 ("0.7"), read as a double.
  char text[32];
  const auto end = std::to_chars(text, text + sizeof text, f).ptr;
  return std::strtod(std::string(text, end).c_str(), nullptr);
}

nlohmann::json regularizer_config(const RegularizerPtr& r) {
  return r ? r->get_config() : nullptr;
}

Tensor batch_size_of(const Tensor& x) {
  return apply_op(op::ReducedSize, {x}, {{"axes", std::vector<int64_t>{0}}, {"dtype", x.dtype()}});
}

Shape shape_from_json(const nlohmann::json& j, const std::string& what) {
  if (!j.is_array()) throw ValueError(what + " must be a list of dimensions, got " + j.dump());
  Shape s;
  for (const auto& d : j) {
    if (d.is_null()) {
      s.push_back(-1);
    } else if (d.is_number_integer() && d.get<int64_t>() > 0) {
      s.push_back(d.get<int64_t>());
    } else {
      throw ValueError(what + " must hold positive integers or null, got " + j.dump());
    }
  }
  return s;
}

nlohmann::json keras_object(const char* module, const std::string& class_name,
                            nlohmann::json config) {
  return {{"module", module},
          {"class_name", class_name},
          {"config", std::move(config)},
          {"registered_name", nullptr}};
}

nlohmann::json shape_to_json(const Shape& s) {
  nlohmann::json j = nlohmann::json::array();
  for (int64_t d : s) j.push_back(d < 0 ? nlohmann::json(nullptr) : nlohmann::json(d));
  return j;
}

}  // namespace nabla
