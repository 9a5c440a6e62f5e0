// The command line's TensorBoard paths: a TensorBoard callback in a run config, and
// export-graph --format tensorboard.
#include <doctest/doctest.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "cli_run.h"
#include "tfevent_reader.h"

namespace fs = std::filesystem;
using nlohmann::json;
using namespace nabla::clitest;

namespace {

// configs/iris.json with absolute data paths, 20% held out for validation, output in `dir`/run,
// and `tensorboard` as its one callback's config.
std::string iris_with_tensorboard(const TempDir& dir, const json& tensorboard) {
  std::ifstream in(std::string(NABLA_CONFIGS) + "/iris.json");
  json j = json::parse(in);
  for (const char* split : {"train", "test"})
    j["data"][split]["path"] =
        std::string(NABLA_CONFIGS) + "/" + j["data"][split]["path"].get<std::string>();
  j["data"]["validation_split"] = 0.2;
  j["output"]["dir"] = (dir.path / "run").string();
  j["callbacks"] = json::array({{{"class_name", "TensorBoard"}, {"config", tensorboard}}});
  const fs::path file = dir.path / "config.json";
  std::ofstream(file) << j.dump(2);
  return file.string();
}

}  // namespace

TEST_CASE("nabla train with a TensorBoard callback writes train/ and validation/ runs") {
  TempDir dir;
  const std::string config =
      iris_with_tensorboard(dir, {{"log_dir", "logs"}, {"histogram_freq", 1}});
  const Result r = run("train " + config + " --epochs 3 --verbose 0");
  REQUIRE_MESSAGE(r.code == 0, r.output);
  // log_dir is relative to the output directory, as ModelCheckpoint's filepath is.
  const fs::path logs = dir.path / "run" / "logs";
  const auto train_files = tfevents::event_files(logs / "train");
  const auto val_files = tfevents::event_files(logs / "validation");
  REQUIRE(train_files.size() == 1);
  REQUIRE(val_files.size() == 1);
  const auto train = tfevents::read_events(train_files[0]);
  const auto val = tfevents::read_events(val_files[0]);
  const json history = json::parse(std::ifstream(dir.path / "run" / "history.json"));
  for (const char* key : {"loss", "accuracy"}) {
    CAPTURE(key);
    const auto written = tfevents::scalars(train, std::string("epoch_") + key);
    const auto written_val = tfevents::scalars(val, std::string("epoch_") + key);
    REQUIRE(written.size() == 3);
    REQUIRE(written_val.size() == 3);
    for (int64_t e = 0; e < 3; ++e) {
      CHECK(written.at(e) == doctest::Approx(history[key][e].get<double>()).epsilon(1e-6));
      CHECK(written_val.at(e) ==
            doctest::Approx(history[std::string("val_") + key][e].get<double>()).epsilon(1e-6));
    }
  }
  CHECK(tfevents::scalars(train, "epoch_learning_rate").at(2) == doctest::Approx(0.01));
  int histograms = 0;
  bool graph = false;
  for (const auto& e : train) {
    graph |= !e.graph_def.empty();
    for (const auto& v : e.values) histograms += v.plugin == "histograms";
  }
  CHECK(histograms == 3 * 4);  // 3 epochs x (2 kernels + 2 biases)
  CHECK(graph);
}

TEST_CASE("bad TensorBoard configs exit 2 naming the key") {
  TempDir dir;
  const std::vector<std::pair<json, std::string>> cases{
      {{{"update_freq", "sometimes"}}, "callbacks[0].config.update_freq: expected"},
      {{{"update_freq", 0}}, "callbacks[0].config.update_freq: expected"},
      {{{"histogram_freq", -1}}, "callbacks[0].config.histogram_freq: expected"},
      {{{"log_dir", 3}}, "callbacks[0].config.log_dir: expected"},
      {{{"profile_batch", 5}}, "callbacks[0].config.profile_batch: not supported"},
      {{{"logdir", "x"}}, "callbacks[0].config.logdir: unknown key (did you mean 'log_dir'?)"},
  };
  for (const auto& c : cases) {
    // Not a structured binding: clang 14 cannot capture one in CAPTURE's lambda.
    const json& tb = c.first;
    const std::string& message = c.second;
    CAPTURE(tb.dump());
    const Result r = run("train " + iris_with_tensorboard(dir, tb) + " --epochs 1");
    CHECK(r.code == 2);
    CHECK_MESSAGE(r.output.find(message) != std::string::npos, r.output);
  }
  // Keras's own defaults for the options nabla lacks are accepted.
  const Result ok = run("train " +
                        iris_with_tensorboard(dir, {{"profile_batch", 0},
                                                    {"write_images", false},
                                                    {"embeddings_freq", 0},
                                                    {"update_freq", "epoch"}}) +
                        " --epochs 1 --verbose 0");
  CHECK_MESSAGE(ok.code == 0, ok.output);
}

TEST_CASE("export-graph --format tensorboard writes a graph-only event file") {
  TempDir dir;
  const std::string config = std::string(NABLA_CONFIGS) + "/iris.json";
  const fs::path out = dir.path / "graph";
  for (const bool training : {false, true}) {
    CAPTURE(training);
    fs::remove_all(out);
    const Result r = run("export-graph " + config + " --format tensorboard --output " +
                         out.string() + (training ? " --training" : ""));
    REQUIRE_MESSAGE(r.code == 0, r.output);
    const auto files = tfevents::event_files(out);
    REQUIRE(files.size() == 1);
    CHECK(r.output.find(files[0].string()) != std::string::npos);
    const auto events = tfevents::read_events(files[0]);
    REQUIRE(events.size() == 2);  // file_version, graph
    CHECK(events[0].file_version == "brain.Event:2");
    const auto nodes = tfevents::parse_graph(events[1].graph_def);
    std::map<std::string, std::string> ops;
    for (const auto& n : nodes) ops[n.name] = n.op;
    CHECK(ops["dense/MatMul"] == "MatMul");
    CHECK(ops["dense_1/MatMul"] == "MatMul");
    bool any_training = false;
    for (const auto& [name, op] : ops) any_training |= name.rfind("training/", 0) == 0;
    CHECK(any_training == training);
  }
  const Result missing = run("export-graph " + config + " --format tensorboard");
  CHECK(missing.code == 2);
  CHECK(missing.output.find("--output") != std::string::npos);
}
