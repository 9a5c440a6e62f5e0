#include "tensorboard_config.h"

#include <algorithm>
#include <climits>

#include "framework/core/errors.h"
#include "framework/keras/tensorboard.h"
#include "run_config.h"

namespace nabla::cli {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Keras options nabla does not implement, with the value that means "off" in Keras.
const std::vector<std::pair<std::string, json>> kOff{{"profile_batch", 0},
                                                     {"write_images", false},
                                                     {"write_steps_per_second", false},
                                                     {"embeddings_freq", 0},
                                                     {"embeddings_metadata", nullptr}};

}  // namespace

CallbackPtr tensorboard_from_config(const json& config, const std::string& path,
                                    const fs::path& out_dir) {
  std::vector<std::string> keys{"log_dir", "histogram_freq", "write_graph", "update_freq"};
  for (const auto& [key, off] : kOff) keys.push_back(key);
  for (const auto& [k, v] : config.items())
    if (std::find(keys.begin(), keys.end(), k) == keys.end())
      throw ConfigError(path + "." + k, "unknown key" + did_you_mean(k, keys));
  for (const auto& [key, off] : kOff)
    if (config.contains(key) && config[key] != off)
      throw ConfigError(path + "." + key, "not supported by nabla (only " + off.dump() +
                                              ", Keras's default, is accepted)");

  TensorBoard::Options o;
  if (config.contains("log_dir")) {
    if (!config["log_dir"].is_string() || config["log_dir"].get<std::string>().empty())
      throw ConfigError(path + ".log_dir", expected("a directory name", config["log_dir"]));
    o.log_dir(config["log_dir"].get<std::string>());
  }
  fs::path log_dir(o.log_dir());
  if (log_dir.is_relative()) o.log_dir((out_dir / log_dir).string());
  if (config.contains("histogram_freq")) {
    const json& h = config["histogram_freq"];
    if (!h.is_number_integer() || h.get<int64_t>() < 0 || h.get<int64_t>() > INT_MAX)
      throw ConfigError(path + ".histogram_freq", expected("an integer >= 0", h));
    o.histogram_freq(h.get<int>());
  }
  if (config.contains("write_graph")) {
    if (!config["write_graph"].is_boolean())
      throw ConfigError(path + ".write_graph", expected("true or false", config["write_graph"]));
    o.write_graph(config["write_graph"].get<bool>());
  }
  if (config.contains("update_freq")) {
    const json& u = config["update_freq"];
    const bool ok = (u.is_string() && (u == "epoch" || u == "batch")) ||
                    (u.is_number_integer() && u.get<int64_t>() >= 1 && u.get<int64_t>() <= INT_MAX);
    if (!ok)
      throw ConfigError(path + ".update_freq",
                        expected("\"epoch\", \"batch\" or a number of batches >= 1", u));
    o.update_freq(u.is_string() ? UpdateFreq(u.get<std::string>()) : UpdateFreq(u.get<int>()));
  }
  return std::make_shared<TensorBoard>(o);
}

}  // namespace nabla::cli
