// The TensorBoard callback from its Keras config (its get_config() keys).
#include <climits>

#include "framework/keras/callback_config_reader.h"
#include "framework/keras/tensorboard.h"

namespace nabla::detail {

namespace {

using nlohmann::json;

// Keras options nabla does not implement, with the value that means "off" in Keras.
const std::vector<std::pair<std::string, json>> kOff{{"profile_batch", 0},
                                                     {"write_images", false},
                                                     {"write_steps_per_second", false},
                                                     {"embeddings_freq", 0},
                                                     {"embeddings_metadata", nullptr}};

}  // namespace

// log_dir (relative to the options' base_dir, like ModelCheckpoint's filepath), histogram_freq,
// write_graph, update_freq ("epoch", "batch" or a number). Keras's options nabla lacks are
// accepted at their "off" values only.
CallbackPtr tensorboard_from_config(const json& config, const CallbackConfigOptions& options) {
  std::vector<std::string> keys{"log_dir", "histogram_freq", "write_graph", "update_freq"};
  for (const auto& [key, off] : kOff) keys.push_back(key);
  CallbackConfigReader c(config, "TensorBoard", options, keys);
  for (const auto& [key, off] : kOff)
    if (c.has(key.c_str()) && c.raw(key.c_str()) != off)
      c.fail(key, "not supported by nabla (only " + off.dump() + ", Keras's default, is accepted)");

  TensorBoardOptions o;
  if (c.has("log_dir") &&
      (!c.raw("log_dir").is_string() || c.raw("log_dir").get<std::string>().empty()))
    c.fail("log_dir", expected("a directory name", c.raw("log_dir")));
  o.log_dir(c.file("log_dir", o.log_dir()));
  if (c.has("histogram_freq")) {
    const json& h = c.raw("histogram_freq");
    if (!h.is_number_integer() || h.get<int64_t>() < 0 || h.get<int64_t>() > INT_MAX)
      c.fail("histogram_freq", expected("an integer >= 0", h));
    o.histogram_freq(h.get<int>());
  }
  o.write_graph(c.boolean("write_graph", o.write_graph()));
  if (c.has("update_freq")) {
    const json& u = c.raw("update_freq");
    const bool ok = (u.is_string() && (u == "epoch" || u == "batch")) ||
                    (u.is_number_integer() && u.get<int64_t>() >= 1 && u.get<int64_t>() <= INT_MAX);
    if (!ok) c.fail("update_freq", expected("\"epoch\", \"batch\" or a number of batches >= 1", u));
    o.update_freq(u.is_string() ? UpdateFreq(u.get<std::string>()) : UpdateFreq(u.get<int>()));
  }
  return std::make_shared<TensorBoard>(o);
}

}  // namespace nabla::detail
