// Callbacks from Keras configs (callback_from_config): each class's arguments, relative files,
// and errors that name the key's JSON path.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "framework/nabla.h"

using namespace nabla;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

json keras(const std::string& class_name, json config = json::object()) {
  return {{"class_name", class_name}, {"config", std::move(config)}};
}

template <class C>
std::shared_ptr<C> made(const json& keras_config,
                        const CallbackConfigOptions& options = CallbackConfigOptions()) {
  auto c = std::dynamic_pointer_cast<C>(callback_from_config(keras_config, options));
  REQUIRE(c != nullptr);
  return c;
}

}  // namespace

TEST_CASE("callback configs set Keras's arguments") {
  auto stop = made<EarlyStopping>(keras("EarlyStopping", {{"monitor", "loss"},
                                                          {"patience", 4},
                                                          {"mode", "min"},
                                                          {"baseline", 0.5},
                                                          {"restore_best_weights", true}}));
  CHECK(stop->options().monitor() == "loss");
  CHECK(stop->options().patience() == 4);
  CHECK(stop->options().mode() == MonitorMode::Min);
  CHECK(stop->options().baseline() == 0.5);
  CHECK(stop->options().restore_best_weights());
  CHECK(stop->options().verbose() == 0);  // Keras's default

  auto plateau = made<ReduceLROnPlateau>(
      keras("ReduceLROnPlateau", {{"factor", 0.5}, {"cooldown", 2}, {"min_lr", 1e-5}}));
  CHECK(plateau->options().factor() == 0.5);
  CHECK(plateau->options().cooldown() == 2);
  CHECK(plateau->options().min_lr() == 1e-5);
  CHECK(plateau->options().patience() == 10);

  auto tb = made<TensorBoard>(keras("TensorBoard", {{"histogram_freq", 2}, {"update_freq", 5}}));
  CHECK(tb->options().log_dir() == "logs");
  CHECK(tb->options().histogram_freq() == 2);
  CHECK(tb->options().update_freq().batches() == 5);

  made<TerminateOnNaN>(keras("TerminateOnNaN"));
  made<TerminateOnNaN>(json("TerminateOnNaN"));  // a bare name: every default
}

TEST_CASE("relative files of a callback config go under base_dir; attributes reach checkpoints") {
  const fs::path dir = fs::temp_directory_path() / ("nabla_cbconfig_" + std::to_string(getpid()));
  fs::create_directories(dir);
  const CallbackConfigOptions options =
      CallbackConfigOptions().base_dir(dir.string()).attributes({{"classes", "[\"a\"]"}});

  auto ckpt =
      made<ModelCheckpoint>(keras("ModelCheckpoint", {{"filepath", "m-{epoch:02d}.h5"}}), options);
  CHECK(ckpt->filepath() == (dir / "m-{epoch:02d}.h5").string());
  CHECK(ckpt->options().attributes().at("classes") == "[\"a\"]");
  CHECK(made<ModelCheckpoint>(keras("ModelCheckpoint", {{"filepath", "/abs/m.h5"}}), options)
            ->filepath() == "/abs/m.h5");
  CHECK(made<ModelCheckpoint>(keras("ModelCheckpoint"))->filepath() == "checkpoint-{epoch:02d}.h5");

  auto tb = made<TensorBoard>(keras("TensorBoard", {{"log_dir", "tb"}}), options);
  CHECK(tb->options().log_dir() == (dir / "tb").string());

  auto csv =
      made<CSVLogger>(keras("CSVLogger", {{"filename", "log.csv"}, {"separator", ";"}}), options);
  Logs logs{{"loss", 0.5}, {"accuracy", 0.75}};
  csv->on_train_begin({});
  csv->on_epoch_end(0, logs);
  csv->on_train_end({});
  REQUIRE(fs::exists(dir / "log.csv"));
  std::ifstream in(dir / "log.csv");
  std::string header;
  std::getline(in, header);
  CHECK(header == "epoch;accuracy;loss");
  fs::remove_all(dir);
}

TEST_CASE("a bad callback config is a ValueError naming the key's JSON path") {
  const CallbackConfigOptions at = CallbackConfigOptions().path("callbacks[2].config");
  CHECK_THROWS_WITH_AS(callback_from_config(keras("EarlyStopping", {{"patience", "x"}}), at),
                       "callbacks[2].config.patience: expected an integer, got \"x\"", ValueError);
  CHECK_THROWS_WITH_AS(callback_from_config(keras("EarlyStopping", {{"patienc", 1}}), at),
                       "callbacks[2].config.patienc: unknown key (did you mean 'patience'?)",
                       ValueError);
  CHECK_THROWS_WITH_AS(
      callback_from_config(keras("ReduceLROnPlateau", {{"mode", "up"}}), at),
      "callbacks[2].config.mode: expected \"auto\", \"min\" or \"max\", got \"up\"", ValueError);
  CHECK_THROWS_WITH_AS(callback_from_config(keras("TensorBoard", {{"profile_batch", 3}}), at),
                       "callbacks[2].config.profile_batch: not supported by nabla (only 0, "
                       "Keras's default, is accepted)",
                       ValueError);
  // Without a path, the class names the config.
  CHECK_THROWS_WITH_AS(callback_from_config(keras("CSVLogger", {{"append", 1}})),
                       "CSVLogger.config.append: expected true or false, got 1", ValueError);
  CHECK_THROWS_WITH_AS(callback_from_config(keras("TerminateOnNaN", json::array())),
                       doctest::Contains("TerminateOnNaN.config: expected an object"), ValueError);
}
