// `mpirun -np 2 nabla train` end to end, against `nabla train` alone: the same history, metrics
// and weights, one rank's output, and the refusals at start (configs that differ between ranks, a
// global batch that does not divide) and the end of a run that goes NaN. Runs alone; it starts
// the jobs itself (skipped in a build without MPI).
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "../keras_test_data.h"
#include "framework/nabla.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const std::string kCli = NABLA_CLI;
const std::string kConfigs = NABLA_CONFIGS;
const std::string kMpirun = NABLA_MPIRUN;  // mpirun and its options, before -np

struct Result {
  int code;
  std::string output;
};

// Runs `command` (a shell line) with a time limit; its exit code and output, stderr included.
Result run(const std::string& command) {
  setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
  setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
  FILE* pipe = popen(("timeout 120 " + command + " 2>&1").c_str(), "r");
  REQUIRE(pipe);
  std::string out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

Result two_ranks(const std::string& args) {
  return run(kMpirun + " -np 2 " + kCli + " " + args);
}

std::string read(const fs::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

struct TempDir {
  fs::path path = fs::temp_directory_path() /
                  ("nabla_mpi_cli_" + std::to_string(getpid()) + "_" + std::to_string(rand()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
};

// configs/iris.json with `edit` applied, written into `dir` as `name`.
std::string iris_config(const TempDir& dir, const std::function<void(json&)>& edit = {},
                        const std::string& name = "config.json") {
  json j = json::parse(read(kConfigs + "/iris.json"));
  for (auto& split : {"train", "test"}) {
    std::string p = j["data"][split]["path"];
    j["data"][split]["path"] = kConfigs + "/" + p;
  }
  j["output"]["dir"] = (dir.path / "run").string();
  j["data"]["validation_split"] = 0.2;
  j["compile"]["metrics"] = {"accuracy"};
  j["model"]["config"]["layers"].insert(
      j["model"]["config"]["layers"].begin() + 2,
      json{{"class_name", "Dropout"}, {"config", {{"rate", 0.2}}}});
  if (edit) edit(j);
  const fs::path file = dir.path / name;
  std::ofstream(file) << j.dump(2);
  return file.string();
}

// Callbacks that write files: a checkpoint per epoch, a CSV log, TensorBoard's event files.
void with_file_callbacks(json& j) {
  j["callbacks"] = json::array(
      {{{"class_name", "ModelCheckpoint"}, {"config", {{"filepath", "ckpt-{epoch}.h5"}}}},
       {{"class_name", "CSVLogger"}, {"config", {{"filename", "log.csv"}}}},
       {{"class_name", "TensorBoard"}, {"config", {{"log_dir", "logs"}}}}});
}

size_t files_in(const fs::path& dir) {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++n;
  return n;
}

}  // namespace

TEST_CASE("mpirun -np 2 nabla train equals nabla train alone, and only rank 0 prints") {
  TempDir dir;
  const std::string config = iris_config(dir, with_file_callbacks);
  const fs::path alone = dir.path / "alone", together = dir.path / "together";
  // 96 training rows: 6 batches of 16 (8 per rank); 24 validation rows: 16 + 8.
  const Result a =
      run(kCli + " train " + config + " --epochs 4 --verbose 2 --output-dir " + alone.string());
  REQUIRE_MESSAGE(a.code == 0, a.output);
  const Result t =
      two_ranks("train " + config + " --epochs 4 --verbose 2 --output-dir " + together.string());
  REQUIRE_MESSAGE(t.code == 0, t.output);
  CHECK_MESSAGE(count(t.output, "Epoch 1/4") == 1, t.output);
  CHECK_MESSAGE(count(t.output, "saved ") == 1, t.output);
  CHECK_MESSAGE(count(t.output, "Total params") == 1, t.output);

  const json ha = json::parse(read(alone / "history.json"));
  const json ht = json::parse(read(together / "history.json"));
  for (const auto& item : ha.items()) {  // no structured binding: clang 14's CAPTURE
    const std::string& key = item.key();
    const json& values = item.value();
    if (key == "epoch_seconds") continue;
    CAPTURE(key);
    REQUIRE(ht.contains(key));
    REQUIRE(ht[key].size() == values.size());
    for (size_t e = 0; e < values.size(); ++e)
      CHECK(std::fabs(ht[key][e].get<double>() - values[e].get<double>()) < 1e-5);
  }
  const json ma = json::parse(read(alone / "metrics.json"));
  const json mt = json::parse(read(together / "metrics.json"));
  for (const auto& [key, value] : ma.items())
    CHECK(std::fabs(mt.at(key).get<double>() - value.get<double>()) < 1e-5);
  const nabla::Model wa = nabla::load_model((alone / "model.h5").string());
  const nabla::Model wt = nabla::load_model((together / "model.h5").string());
  CHECK(nabla::testing::max_abs_diff(wa.get_weights(), wt.get_weights()) < 1e-5);

  // The callbacks' files were written once, by rank 0: a checkpoint per epoch, one CSV row per
  // epoch, one TensorBoard event file per run (a second writer would add its own, named by pid).
  for (int e = 1; e <= 4; ++e) CHECK(fs::exists(together / ("ckpt-" + std::to_string(e) + ".h5")));
  CHECK(count(read(together / "log.csv"), "\n") == 5);
  CHECK(files_in(together / "logs" / "train") == 1);
  CHECK(files_in(together / "logs" / "validation") == 1);
  const nabla::Model last = nabla::load_model((together / "ckpt-4.h5").string());
  CHECK(nabla::testing::max_abs_diff(last.get_weights(), wt.get_weights()) < 1e-6);
}

TEST_CASE("a checkpoint of two ranks continues alone, and on two ranks, alike") {
  TempDir dir;
  const std::string config = iris_config(dir, with_file_callbacks);
  const fs::path first = dir.path / "first", alone = dir.path / "alone",
                 together = dir.path / "together";
  const Result f =
      two_ranks("train " + config + " --epochs 2 --verbose 0 --output-dir " + first.string());
  REQUIRE_MESSAGE(f.code == 0, f.output);
  // Rank 0 reads the checkpoint; fit gives its weights to rank 1.
  const std::string resume =
      " --weights " + (first / "ckpt-2.h5").string() + " --epochs 2 --verbose 0 --output-dir ";
  const Result a = run(kCli + " train " + config + resume + alone.string());
  REQUIRE_MESSAGE(a.code == 0, a.output);
  const Result t = two_ranks("train " + config + resume + together.string());
  REQUIRE_MESSAGE(t.code == 0, t.output);
  const json ha = json::parse(read(alone / "history.json"));
  const json ht = json::parse(read(together / "history.json"));
  const json hf = json::parse(read(first / "history.json"));
  for (const std::string key : {"loss", "accuracy", "val_loss", "val_accuracy"}) {
    CAPTURE(key);
    REQUIRE(ht[key].size() == 2);
    for (size_t e = 0; e < 2; ++e)
      CHECK(std::fabs(ht[key][e].get<double>() - ha[key][e].get<double>()) < 1e-5);
  }
  // It did start from the checkpoint: its first epoch's loss is below the first run's first.
  CHECK(ht["loss"][0].get<double>() < hf["loss"][0].get<double>());
  const nabla::Model wa = nabla::load_model((alone / "model.h5").string());
  const nabla::Model wt = nabla::load_model((together / "model.h5").string());
  CHECK(nabla::testing::max_abs_diff(wa.get_weights(), wt.get_weights()) < 1e-5);
}

TEST_CASE("ranks started with different configs are refused at start, naming the rank") {
  TempDir dir;
  const std::string a = iris_config(dir, {}, "a.json");
  const std::string b = iris_config(
      dir, [](json& j) { j["compile"]["optimizer"]["config"]["learning_rate"] = 0.02; }, "b.json");
  const Result r =
      run(kMpirun + " -np 1 " + kCli + " train " + a + " : -np 1 " + kCli + " train " + b);
  CHECK(r.code != 0);
  CHECK_MESSAGE(r.output.find("config differs between ranks: rank 1 differs from rank 0") !=
                    std::string::npos,
                r.output);
  CHECK_FALSE(fs::exists(dir.path / "run" / "model.h5"));
}

TEST_CASE("a global batch that does not divide by the ranks is refused with sizes that do") {
  TempDir dir;
  const Result r = two_ranks("train " + iris_config(dir) + " --batch-size 15 --verbose 0");
  CHECK(r.code != 0);
  CHECK_MESSAGE(r.output.find("batch_size 15 is the global batch, split evenly across the 2 "
                              "ranks, and does not divide by 2: use 14 (7 per rank) or 16 (8 per "
                              "rank)") != std::string::npos,
                r.output);
}

TEST_CASE("a run that goes NaN ends the job non-zero on every rank and saves nothing") {
  TempDir dir;
  const std::string diverging = iris_config(dir, [&](json& j) {
    j["compile"]["optimizer"] = {{"class_name", "SGD"}, {"config", {{"learning_rate", 1e6}}}};
    j["callbacks"] = json::array({{{"class_name", "TerminateOnNaN"}}});
  });
  const Result r = two_ranks("train " + diverging + " --epochs 5 --verbose 0");
  CHECK(r.code != 0);
  CHECK_MESSAGE(r.output.find("failed: training stopped: TerminateOnNaN") != std::string::npos,
                r.output);
  CHECK_FALSE(fs::exists(dir.path / "run" / "model.h5"));
}
