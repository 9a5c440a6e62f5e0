// The TensorBoard callback in fit(): Keras's run layout (train/, validation/), epoch and batch
// scalars, weight histograms and the graph, read back with the independent reader.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>

#include "framework/keras/tensorboard.h"
#include "keras_test_data.h"
#include "temp_dir.h"
#include "tfevent_reader.h"

namespace fs = std::filesystem;
using namespace nabla;
using namespace nabla::testing;

namespace {

Sequential named_model() {
  set_seed(5);
  return Sequential({Input({2}), Dense(8, "relu", "hidden"), Dense(3, "softmax", "out")});
}

// All events of the one event file in `dir`.
std::vector<tfevents::Event> run_events(const fs::path& dir) {
  const auto files = tfevents::event_files(dir);
  REQUIRE(files.size() == 1);
  return tfevents::read_events(files[0]);
}

}  // namespace

TEST_CASE("fit with TensorBoard writes Keras's epoch scalars into train/ and validation/") {
  TempDir dir;
  auto [x, y] = spiral_data(20);  // 60 samples: 45 train (3 batches of 16), 15 validation
  Sequential model = named_model();
  model.compile(Adam(0.01), "sparse_categorical_crossentropy", {"accuracy"});
  auto tb = std::make_shared<TensorBoard>(
      TensorBoardOptions().log_dir((dir.path / "logs").string()).histogram_freq(2));
  History h = model.fit(
      x, y,
      FitOptions().epochs(3).batch_size(16).validation_split(0.25).verbose(0).callbacks({tb}));
  const auto train = run_events(dir.path / "logs" / "train");
  const auto val = run_events(dir.path / "logs" / "validation");
  CHECK(train[0].file_version == "brain.Event:2");
  CHECK(val[0].file_version == "brain.Event:2");
  CHECK(tb->event_files().size() == 2);

  auto series = [](const std::vector<double>& v) {
    std::map<int64_t, double> m;
    for (size_t i = 0; i < v.size(); ++i) m[static_cast<int64_t>(i)] = v[i];
    return m;
  };
  auto close = [](const std::map<int64_t, double>& got, const std::map<int64_t, double>& want) {
    REQUIRE(got.size() == want.size());
    for (const auto& [step, value] : want) {
      REQUIRE(got.count(step));
      CHECK(got.at(step) == doctest::Approx(value).epsilon(1e-6));  // written as float32
    }
  };
  close(tfevents::scalars(train, "epoch_loss"), series(h.history.at("loss")));
  close(tfevents::scalars(train, "epoch_accuracy"), series(h.history.at("accuracy")));
  close(tfevents::scalars(train, "epoch_learning_rate"), series(h.history.at("lr")));
  close(tfevents::scalars(val, "epoch_loss"), series(h.history.at("val_loss")));
  close(tfevents::scalars(val, "epoch_accuracy"), series(h.history.at("val_accuracy")));
  // No val_ names in train/, no "lr" under its nabla name, no batch scalars by default.
  for (const char* absent : {"epoch_val_loss", "epoch_lr", "batch_loss"})
    CHECK_MESSAGE(tfevents::scalars(train, absent).empty(), absent);

  // Histograms at epochs 0 and 2 (histogram_freq 2) for every weight, named as Keras names them.
  std::map<std::string, std::vector<int64_t>> hist_steps;
  for (const auto& e : train)
    for (const auto& v : e.values)
      if (v.plugin == "histograms") {
        hist_steps[v.tag].push_back(e.step);
        double total = 0;
        const auto n = v.numbers();
        for (size_t i = 2; i < n.size(); i += 3) total += n[i];
        const int64_t numel = v.tag.rfind("hidden/kernel", 0) == 0 ? 16
                              : v.tag.rfind("hidden/bias", 0) == 0 ? 8
                              : v.tag.rfind("out/kernel", 0) == 0  ? 24
                                                                   : 3;
        CHECK_MESSAGE(total == double(numel), v.tag);
      }
  const std::vector<int64_t> at_0_and_2{0, 2};
  CHECK(hist_steps ==
        std::map<std::string, std::vector<int64_t>>{{"hidden/kernel/histogram", at_0_and_2},
                                                    {"hidden/bias/histogram", at_0_and_2},
                                                    {"out/kernel/histogram", at_0_and_2},
                                                    {"out/bias/histogram", at_0_and_2}});

  // write_graph (the default): the compiled training graph and the Keras model config.
  std::string graph;
  bool keras_config = false;
  for (const auto& e : train) {
    if (!e.graph_def.empty()) graph = e.graph_def;
    for (const auto& v : e.values)
      if (v.plugin == "graph_keras_model")
        keras_config = v.strings.size() == 1 && v.strings[0] == model.to_json();
  }
  CHECK(keras_config);
  REQUIRE(!graph.empty());
  const auto nodes = tfevents::parse_graph(graph);
  CHECK(nodes.size() == model.graph().nodes().size());
  bool has_matmul = false, has_training_node = false;
  for (const auto& n : nodes) {
    has_matmul |= n.name == "hidden/MatMul" && n.op == "MatMul";
    has_training_node |= n.name.rfind("training/", 0) == 0;
  }
  CHECK(has_matmul);
  CHECK(has_training_node);
}

TEST_CASE("update_freq writes batch scalars at the global step") {
  TempDir dir;
  auto [x, y] = spiral_data(20);  // 60 samples, batch 16: 4 batches an epoch
  Sequential model = named_model();
  model.compile(SGD(0.1), "sparse_categorical_crossentropy", {"accuracy"});
  const fs::path logs = dir.path / "logs";
  SUBCASE("batch: every batch, steps 1..8 over two epochs") {
    auto tb = std::make_shared<TensorBoard>(
        TensorBoardOptions().log_dir(logs.string()).update_freq("batch").write_graph(false));
    model.fit(x, y, FitOptions().epochs(2).batch_size(16).verbose(0).callbacks({tb}));
    const auto train = run_events(logs / "train");
    const auto loss = tfevents::scalars(train, "batch_loss");
    REQUIRE(loss.size() == 8);
    CHECK(loss.begin()->first == 1);
    CHECK(loss.rbegin()->first == 8);
    CHECK(tfevents::scalars(train, "batch_accuracy").size() == 8);
    CHECK(!fs::exists(logs / "validation"));  // no validation data, no validation run
    for (const auto& e : train) CHECK(e.graph_def.empty());  // write_graph(false)

    SUBCASE("a second fit continues the step count in a new file") {
      model.fit(x, y, FitOptions().epochs(1).batch_size(16).verbose(0).callbacks({tb}));
      const auto files = tfevents::event_files(logs / "train");
      REQUIRE(files.size() == 2);
      CHECK(tfevents::read_events(tb->event_files()[0]).size() == train.size());  // untouched
      std::map<int64_t, double> all;
      for (const auto& f : files)
        all.merge(tfevents::scalars(tfevents::read_events(f), "batch_loss"));
      CHECK(all.size() == 12);
      CHECK(all.rbegin()->first == 12);
    }
  }
  SUBCASE("3: steps 3 and 6 of 8") {
    auto tb =
        std::make_shared<TensorBoard>(TensorBoardOptions().log_dir(logs.string()).update_freq(3));
    model.fit(x, y, FitOptions().epochs(2).batch_size(16).verbose(0).callbacks({tb}));
    const auto loss = tfevents::scalars(run_events(logs / "train"), "batch_loss");
    std::vector<int64_t> steps;
    for (const auto& [s, v] : loss) steps.push_back(s);
    CHECK(steps == std::vector<int64_t>{3, 6});
  }
}

TEST_CASE("TensorBoard options are checked") {
  CHECK(UpdateFreq("epoch").batches() == 0);
  CHECK(UpdateFreq("batch").batches() == 1);
  CHECK(UpdateFreq(100).batches() == 100);
  CHECK(UpdateFreq(100).to_string() == "100");
  CHECK_THROWS_WITH_AS(UpdateFreq("sometimes"), doctest::Contains("\"sometimes\""), ValueError);
  CHECK_THROWS_AS(UpdateFreq(0), ValueError);
  CHECK_THROWS_AS(TensorBoard(TensorBoardOptions().histogram_freq(-1)), ValueError);
  CHECK_THROWS_AS(TensorBoard(""), ValueError);
  const TensorBoard defaults;
  CHECK(defaults.options().log_dir() == "logs");
  CHECK(defaults.options().histogram_freq() == 0);
  CHECK(defaults.options().write_graph());
  CHECK(defaults.options().update_freq().batches() == 0);
}

TEST_CASE("an unwritable log_dir stops fit with an IOError naming it") {
  TempDir dir;
  std::ofstream(dir.path / "taken") << "a file";
  auto [x, y] = spiral_data(5);
  Sequential model = named_model();
  model.compile(SGD(0.1), "sparse_categorical_crossentropy");
  auto tb = std::make_shared<TensorBoard>((dir.path / "taken").string());
  const std::string quoted = std::string("'").append((dir.path / "taken" / "train").string()) + "'";
  CHECK_THROWS_WITH_AS(model.fit(x, y, FitOptions().epochs(1).verbose(0).callbacks({tb})),
                       doctest::Contains(quoted.c_str()), IOError);
}
