// The command line with Functional models and .keras files: a config whose model is what
// to_json() prints, inputs and targets by name, losses and metrics by output, model.keras,
// predict with several inputs, nabla convert, and Keras 3's own archives.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_run.h"
#include "framework/io/hdf5.h"
#include "framework/io/zip_archive.h"
#include "keras_manifest.h"

using namespace nabla;
using namespace nabla::clitest;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

constexpr int64_t kRows = 48;

// Inputs "a" (5) and "b" (3); outputs "cls" (3 classes, sparse labels) and "reg" (1 value).
std::string two_heads_json() {
  reset_layer_names();
  Tensor a = Input({5}, "a"), b = Input({3}, "b");
  Tensor h = Dense(8, "relu", "trunk")(a);
  Tensor g = Dense(4, "relu", "side")(b);
  (void)g;
  Model model({a, b}, {Dense(3, "softmax", "cls")(h), Dense(1, "linear", "reg")(h)}, "heads");
  return model.to_json();
}

struct Data {
  Tensor a, b, cls, reg;
};

Data write_data(const TempDir& dir) {
  Data d{Tensor::random_normal({kRows, 5}, 0, 1, 1), Tensor::random_normal({kRows, 3}, 0, 1, 2),
         Tensor::empty({kRows}), Tensor::empty({kRows, 1})};
  for (int64_t i = 0; i < kRows; ++i) {
    d.cls.data<float>()[i] = static_cast<float>(i % 3);
    d.reg.data<float>()[i] = d.b.at(i * 3) + d.b.at(i * 3 + 1);
  }
  save_npy(dir / "a.npy", d.a);
  save_npy(dir / "b.npy", d.b);
  save_npy(dir / "cls.npy", d.cls);
  save_npy(dir / "reg.npy", d.reg);
  h5::write_atomically(dir / "inputs.h5", [&](h5::Group& root) {
    root.write("a", d.a);
    root.write("b", d.b);
  });
  // An .npz as NumPy's savez writes it: a zip of a.npy and b.npy.
  ZipWriter npz(dir / "inputs.npz");
  npz.add("a.npy", read_bytes(dir / "a.npy"));
  npz.add("b.npy", read_bytes(dir / "b.npy"));
  npz.close();
  return d;
}

std::string config(const TempDir& dir, const std::function<void(json&)>& edit = {}) {
  json j{{"seed", 3},
         {"model", json::parse(two_heads_json())},
         {"compile",
          {{"optimizer", {{"class_name", "Adam"}, {"config", {{"learning_rate", 0.01}}}}},
           {"loss", {{"cls", "sparse_categorical_crossentropy"}, {"reg", "mse"}}},
           {"metrics", {{"cls", {"accuracy"}}}},
           {"loss_weights", {{"reg", 0.5}}}}},
         {"data",
          {{"train",
            {{"format", "npy"},
             {"inputs", {{"a", dir / "a.npy"}, {"b", dir / "b.npy"}}},
             {"targets", {{"cls", dir / "cls.npy"}, {"reg", dir / "reg.npy"}}}}},
           {"validation_split", 0.25}}},
         {"fit", {{"epochs", 3}, {"batch_size", 8}, {"verbose", 0}}},
         {"output", {{"dir", dir / "run"}, {"format", "keras"}}}};
  if (edit) edit(j);
  std::ofstream(dir / "config.json") << j.dump(2);
  return dir / "config.json";
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

}  // namespace

TEST_CASE("a Functional config trains by input and output name and writes model.keras") {
  TempDir dir;
  write_data(dir);
  const std::string cfg = config(dir);
  const Result train = run("train " + cfg);
  REQUIRE_MESSAGE(train.code == 0, train.output);
  const std::string model = dir / "run/model.keras";
  CHECK(fs::exists(model));
  CHECK_FALSE(fs::exists(dir / "run/model.h5"));
  CHECK(train.output.find("saved " + model) != std::string::npos);
  const json history = json::parse(read_text(dir / "run/history.json"));
  for (const char* key : {"loss", "cls_loss", "reg_loss", "cls_accuracy", "val_loss"}) {
    CAPTURE(key);
    CHECK(history.contains(key));
  }

  const Result eval = run("evaluate " + model + " --config " + cfg + " --split train --json");
  REQUIRE_MESSAGE(eval.code == 0, eval.output);
  const json logs = json::parse(eval.output);
  CHECK(logs.at("loss").get<double>() ==
        doctest::Approx(logs.at("cls_loss").get<double>() + 0.5 * logs.at("reg_loss").get<double>())
            .epsilon(1e-4));

  // One file per input, in order; one .h5 or .npz with a dataset per input name.
  const Result two =
      run("predict " + model + " --input " + (dir / "a.npy") + " --input " + (dir / "b.npy"));
  REQUIRE_MESSAGE(two.code == 0, two.output);
  const std::vector<std::string> rows = lines(two.output);
  REQUIRE(rows.size() == kRows + 1);
  CHECK(rows[0] == "cls_0,cls_1,cls_2,reg_0");
  CHECK(std::count(rows[1].begin(), rows[1].end(), ',') == 3);
  CHECK(run("predict " + model + " --input " + (dir / "inputs.h5")).output == two.output);
  CHECK(run("predict " + model + " --input " + (dir / "inputs.npz")).output == two.output);
  const Result classes =
      run("predict " + model + " --input " + (dir / "inputs.npz") + " --classes");
  CHECK(lines(classes.output).at(0) == "cls,reg");

  const Result wrong = run("predict " + model + " --input " + (dir / "a.npy"));
  CHECK(wrong.code == 2);
  CHECK(wrong.output.find("--input: model 'heads' has 2 inputs (a, b), given 1 files") !=
        std::string::npos);

  const Result summary = run("summary " + model);
  CHECK(summary.code == 0);
  CHECK(summary.output.find("Connected to") != std::string::npos);
  CHECK(run("summary " + cfg).output.find("trunk (Dense)") != std::string::npos);
  const Result dot = run("export-graph " + model + " --format dot");
  CHECK(dot.code == 0);
  CHECK(dot.output.rfind("digraph", 0) == 0);
  CHECK(run("export-graph " + cfg + " --format json --training").code == 0);
}

TEST_CASE("hdf5 datasets and csv columns feed inputs and targets by name") {
  TempDir dir;
  const Data d = write_data(dir);
  h5::write_atomically(dir / "all.h5", [&](h5::Group& root) {
    root.write("A", d.a);
    root.write("B", d.b);
    root.write("labels", d.cls);
    root.write("values", d.reg);
  });
  std::ofstream csv(dir / "all.csv");
  csv << "a0,a1,a2,a3,a4,b0,b1,b2,label,value\n";
  for (int64_t i = 0; i < kRows; ++i) {
    for (int k = 0; k < 5; ++k) csv << d.a.at(i * 5 + k) << ",";
    for (int k = 0; k < 3; ++k) csv << d.b.at(i * 3 + k) << ",";
    csv << d.cls.at(i) << "," << d.reg.at(i) << "\n";
  }
  csv.close();
  const json h5_source{{"format", "hdf5"},
                       {"path", dir / "all.h5"},
                       {"inputs", {{"a", "A"}, {"b", "B"}}},
                       {"targets", {{"cls", "labels"}, {"reg", "values"}}}};
  const json csv_source{
      {"format", "csv"},
      {"path", dir / "all.csv"},
      {"inputs", {{"a", {"a0", "a1", "a2", "a3", "a4"}}, {"b", {"b0", "b1", "b2"}}}},
      {"targets", {{"cls", "label"}, {"reg", {"value"}}}}};
  for (const json& source : {h5_source, csv_source}) {
    CAPTURE(source.dump());
    const std::string cfg = config(dir, [&](json& j) {
      j["data"]["train"] = source;
      j["data"]["test"] = source;
      j["output"]["format"] = "h5";
    });
    const Result r = run("train " + cfg);
    CHECK_MESSAGE(r.code == 0, r.output);
    CHECK(fs::exists(dir / "run/model.h5"));
    CHECK(json::parse(read_text(dir / "run/metrics.json")).contains("cls_accuracy"));
  }
}

TEST_CASE("bad named data and per-output compile arguments exit 2 naming the JSON path") {
  TempDir dir;
  write_data(dir);
  struct Case {
    const char* what;
    std::function<void(json&)> edit;
    const char* message;
  };
  const std::vector<Case> cases = {
      {"loss for no output", [](json& j) { j["compile"]["loss"]["clss"] = "mse"; },
       "compile.loss.clss: the model has no output 'clss' (did you mean 'cls'?)"},
      {"output without loss", [](json& j) { j["compile"]["loss"].erase("reg"); },
       "compile.loss: no loss for output 'reg' (the model's outputs: cls, reg)"},
      {"unknown metric", [](json& j) { j["compile"]["metrics"]["cls"] = {"acuracy"}; },
       "compile.metrics.cls[0]: unknown metric"},
      {"input missing", [](json& j) { j["data"]["train"]["inputs"].erase("b"); },
       "data.train.inputs: no entry for the model's input 'b' (its inputs: a, b)"},
      {"unknown input",
       [](json& j) { j["data"]["train"]["inputs"]["c"] = j["data"]["train"]["inputs"]["a"]; },
       "data.train.inputs.c: the model has no input 'c'"},
      {"x for two inputs",
       [](json& j) {
         j["data"]["train"].erase("inputs");
         j["data"]["train"]["x"] = j["data"]["train"]["targets"]["cls"];
       },
       "data.train: the model has 2 inputs (a, b): name the data of each in \"inputs\""},
      {"both forms", [](json& j) { j["data"]["train"]["x"] = j["data"]["train"]["inputs"]["a"]; },
       "data.train.inputs: give either \"x\" or \"inputs\", not both"},
      {"rows differ", [&](json& j) { j["data"]["train"]["inputs"]["b"] = dir / "reg.npy"; },
       "data.train.inputs.b: samples of shape (1,) (1 features) do not fit the input 'b' (None, "
       "3)"},
      {"labels out of range",
       [&](json& j) { j["data"]["train"]["targets"]["cls"] = dir / "a.npy"; }, "data.train"},
      {"output format", [](json& j) { j["output"]["format"] = "zip"; },
       "output.format: expected \"h5\" (model.h5) or \"keras\" (model.keras), got \"zip\""},
      {"standardize", [](json& j) { j["data"]["standardize"] = true; }, "data.standardize"},
      {"bad graph", [](json& j) { j["model"]["config"]["output_layers"][0][0] = "ghost"; },
       "model.config: output_layers: no tensor ghost[0][0]"},
  };
  for (const Case& c : cases) {
    const std::string what = c.what;
    CAPTURE(what);
    const Result r = run("train " + config(dir, c.edit));
    CHECK(r.code == 2);
    CHECK_MESSAGE(r.output.find(c.message) != std::string::npos, r.output);
    CHECK(std::count(r.output.begin(), r.output.end(), '\n') == 1);
    CHECK_FALSE(fs::exists(dir / "run"));
  }
}

TEST_CASE("nabla convert moves a model between .keras, .h5 and .weights.h5") {
  TempDir dir;
  write_data(dir);
  const std::string cfg = config(dir);
  REQUIRE(run("train " + cfg).code == 0);
  const std::string keras = dir / "run/model.keras";
  const std::string predict_args = " --input " + (dir / "inputs.npz");
  const std::string expected = run("predict " + keras + predict_args).output;

  Result r = run("convert " + keras + " " + (dir / "m.h5"));
  REQUIRE_MESSAGE(r.code == 0, r.output);
  CHECK(r.output.find("Keras 2's legacy layout") != std::string::npos);
  CHECK(run("predict " + (dir / "m.h5") + predict_args).output == expected);
  REQUIRE(run("convert " + (dir / "m.h5") + " " + (dir / "back.keras")).code == 0);
  CHECK(run("predict " + (dir / "back.keras") + predict_args).output == expected);

  REQUIRE(run("convert " + keras + " " + (dir / "w.weights.h5")).code == 0);
  r = run("convert " + (dir / "w.weights.h5") + " " + (dir / "x.keras"));
  CHECK(r.code == 2);
  CHECK(r.output.find("holds weights only: give --config") != std::string::npos);
  r = run("convert " + (dir / "w.weights.h5") + " " + (dir / "x.keras") + " --config " + cfg);
  REQUIRE_MESSAGE(r.code == 0, r.output);
  CHECK(run("predict " + (dir / "x.keras") + predict_args).output == expected);
  std::ofstream(dir / "model.json") << two_heads_json();
  r = run("convert " + (dir / "w.weights.h5") + " " + (dir / "y.h5") + " --model-json " +
          (dir / "model.json"));
  REQUIRE_MESSAGE(r.code == 0, r.output);
  CHECK(run("predict " + (dir / "y.h5") + predict_args).output == expected);

  r = run("convert " + keras + " " + (dir / "m.zip"));
  CHECK(r.code == 2);
  CHECK(r.output.find("OUT: '" + (dir / "m.zip") + "': the name must end in") != std::string::npos);
  CHECK(run("convert " + keras).code == 2);
  CHECK(run("convert " + (dir / "absent.keras") + " " + (dir / "z.h5")).code == 2);
}

TEST_CASE("Keras 3's own archives predict through the command line as Keras predicted") {
  TempDir dir;
  const nlohmann::json m = manifest::functional_manifest();
  for (const auto& entry : m.at("files")) {
    if (entry.at("file") != "keras_adam.keras3.keras") continue;
    const Tensor x = manifest::tensor_from(entry.at("input").at("x"));
    save_npy(dir / "x.npy", x);
    const std::string file = manifest::functional_dir() + "keras_adam.keras3.keras";
    const Result r = run("predict " + file + " --input " + (dir / "x.npy"));
    REQUIRE_MESSAGE(r.code == 0, r.output);
    std::vector<float> values;
    for (const std::string& row : lines(r.output)) {
      std::istringstream cells(row);
      for (std::string cell; std::getline(cells, cell, ',');) values.push_back(std::stof(cell));
    }
    const Tensor expected = manifest::tensor_from(entry.at("output").at("probs"));
    const Tensor got = Tensor::from_vector(values, expected.shape());
    CHECK(manifest::max_relative_diff(got, expected) < 1e-5);
    CHECK(run("summary " + file).output.find("block (Sequential)") != std::string::npos);
    return;
  }
  FAIL("keras_adam.keras3.keras is not in the manifest");
}
