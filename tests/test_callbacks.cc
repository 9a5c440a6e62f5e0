// Callbacks: EarlyStopping, ReduceLROnPlateau, TerminateOnNaN, CSVLogger, ModelCheckpoint,
// LearningRateScheduler, LambdaCallback.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "keras_test_data.h"

using namespace nabla;
using namespace nabla::testing;

namespace {
Sequential small_model() {
  set_seed(11);
  return Sequential({Input({2}), Dense(8, "relu"), Dense(3, "softmax")});
}
}  // namespace

TEST_CASE(
    "EarlyStopping stops after `patience` epochs without improvement and restores the best "
    "weights") {
  auto [x, y] = spiral_data(20);
  Sequential model = small_model();
  model.compile(SGD(0.1), "sparse_categorical_crossentropy");
  // The monitored value gets worse every epoch after the first (an injected, known sequence).
  std::vector<TensorList> weights_at_end;
  auto record = std::make_shared<LambdaCallback>();
  int epoch_seen = 0;
  record->on_epoch_end_fn = [&](int, Logs& logs) {
    logs["fake"] = 10.0 + epoch_seen++;  // best at epoch 0
    weights_at_end.push_back(model.get_weights());
  };
  auto stop = std::make_shared<EarlyStopping>(
      EarlyStoppingOptions().monitor("fake").patience(2).restore_best_weights(true));
  History h =
      model.fit(x, y, FitOptions().epochs(20).batch_size(16).verbose(0).callbacks({record, stop}));
  CHECK(h.history.at("loss").size() == 3);  // epochs 0, 1, 2: stopped after two without improvement
  CHECK(stop->stopped_epoch() == 2);
  CHECK(stop->best_epoch() == 0);
  CHECK(max_abs_diff(model.get_weights(), weights_at_end[0]) == 0.0);
}

TEST_CASE("ReduceLROnPlateau multiplies the learning rate when the monitor stalls") {
  auto [x, y] = spiral_data(20);
  Sequential model = small_model();
  model.compile(Adam(0.01), "sparse_categorical_crossentropy");
  auto flat = std::make_shared<LambdaCallback>();
  flat->on_epoch_end_fn = [](int, Logs& logs) { logs["flat"] = 1.0; };
  auto reduce = std::make_shared<ReduceLROnPlateau>(
      ReduceLROnPlateauOptions().monitor("flat").factor(0.5).patience(1));
  History h =
      model.fit(x, y, FitOptions().epochs(4).batch_size(16).verbose(0).callbacks({flat, reduce}));
  CHECK(model.optimizer().learning_rate() == doctest::Approx(0.01 * 0.5 * 0.5 * 0.5));
  CHECK(h.history.at("lr")[0] == doctest::Approx(0.01));
  CHECK(h.history.at("lr")[2] == doctest::Approx(0.005));
}

TEST_CASE("TerminateOnNaN stops on a NaN loss and says so") {
  auto [x, y] = spiral_data(20);
  Sequential model = small_model();
  model.compile(SGD(1e30), "sparse_categorical_crossentropy");  // diverges at once
  auto nan = std::make_shared<TerminateOnNaN>();
  std::ostringstream captured;
  std::streambuf* old = std::cout.rdbuf(captured.rdbuf());
  History h = model.fit(x, y, FitOptions().epochs(5).batch_size(4).verbose(0).callbacks({nan}));
  std::cout.rdbuf(old);
  CHECK(nan->terminated());
  CHECK(h.history.at("loss").size() <= 1);
  CHECK(captured.str().find("invalid loss, terminating training") != std::string::npos);
}

TEST_CASE("CSVLogger writes the history, one row per epoch") {
  const std::string path =
      std::filesystem::temp_directory_path() / ("nabla_csv_" + std::to_string(getpid()) + ".csv");
  auto [x, y] = spiral_data(20);
  Sequential model = small_model();
  model.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
  History h =
      model.fit(x, y,
                FitOptions().epochs(3).batch_size(16).verbose(0).validation_split(0.2).callbacks(
                    {std::make_shared<CSVLogger>(path)}));
  std::ifstream in(path);
  std::string header, line;
  std::getline(in, header);
  CHECK(header == "epoch,accuracy,loss,lr,val_accuracy,val_loss");
  int rows = 0;
  while (std::getline(in, line)) {
    CHECK(line.rfind(std::to_string(rows) + ",", 0) == 0);
    const double loss = std::stod(line.substr(line.find(',', line.find(',') + 1) + 1));
    CHECK(loss == doctest::Approx(h.history.at("loss")[rows]));
    ++rows;
  }
  CHECK(rows == 3);
  std::filesystem::remove(path);
}

TEST_CASE("ModelCheckpoint writes per-epoch names, best-only and weights-only files") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("nabla_mc_" + std::to_string(getpid()));
  fs::create_directories(dir);
  auto [x, y] = spiral_data(20);
  Sequential model = small_model();
  model.compile("adam", "sparse_categorical_crossentropy");
  auto every = std::make_shared<ModelCheckpoint>((dir / "e{epoch:02d}-{loss:.2f}.h5").string());
  auto best = std::make_shared<ModelCheckpoint>(
      (dir / "best.h5").string(),
      ModelCheckpointOptions().monitor("loss").save_best_only(true).save_weights_only(true));
  History h =
      model.fit(x, y, FitOptions().epochs(2).batch_size(16).verbose(0).callbacks({every, best}));
  char name[64];
  std::snprintf(name, sizeof name, "e01-%.2f.h5", h.history.at("loss")[0]);
  CHECK(fs::exists(dir / name));
  CHECK(fs::exists(dir / "best.h5"));
  Sequential copy = small_model();
  copy.load_weights((dir / "best.h5").string());
  Sequential reloaded = load_model((dir / name).string());
  CHECK(reloaded.layers().size() == model.layers().size());
  CHECK(every->format_path(9, {{"loss", 0.126}}) == (dir / "e10-0.13.h5").string());
  CHECK_THROWS_WITH_AS(ModelCheckpoint("x-{val_acc:.2f}.h5").format_path(0, {{"loss", 1.0}}),
                       doctest::Contains("'val_acc', which is not in the logs"), ValueError);
  fs::remove_all(dir);
}

TEST_CASE("LearningRateScheduler sets the rate each epoch") {
  auto [x, y] = spiral_data(10);
  Sequential model = small_model();
  model.compile(SGD(0.1), "sparse_categorical_crossentropy");
  auto sched =
      std::make_shared<LearningRateScheduler>([](int epoch, double) { return 0.1 / (epoch + 1); });
  History h = model.fit(x, y, FitOptions().epochs(3).verbose(0).callbacks({sched}));
  CHECK(h.history.at("lr")[2] == doctest::Approx(0.1 / 3));
}
