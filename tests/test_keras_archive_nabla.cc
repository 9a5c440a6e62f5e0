// nabla's own .keras archives and .weights.h5 files: written in Keras 3's layout (members,
// config form, weight keys), read back to the same model, and the format chosen by extension.
#include <doctest/doctest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "framework/io/hdf5.h"
#include "framework/io/hdf5_memory.h"
#include "framework/io/zip_archive.h"
#include "framework/keras/keras3_weights.h"
#include "keras_manifest.h"
#include "zip_test_util.h"

using namespace nabla;
using namespace nabla::ziptest;
using nabla::manifest::max_relative_diff;
using json = nlohmann::json;

namespace {

// Two inputs, a nested Sequential, two outputs, every layer named by hand (so Keras 3's keys,
// dense, dense_1, ..., differ from the names).
Model two_heads() {
  set_seed(11);
  Tensor features = Input({5}, "features");
  Tensor extra = Input({3}, "extra");
  Sequential block({Input({6}), Dense(7, "relu", "block_in"), Dense(6, "tanh", "block_out")},
                   "block");
  Tensor trunk = block(Dense(6, "relu", "features_dense")(features));
  (void)extra;
  return Model({features, extra},
               {Dense(3, "softmax", "class_out")(trunk), Dense(1, "linear", "value_out")(trunk)},
               "two_heads");
}

TensorList inputs() {
  return {Tensor::random_normal({8, 5}, 0, 1, 1), Tensor::random_normal({8, 3}, 0, 1, 2)};
}

TensorList targets() {
  return {softmax(Tensor::random_normal({8, 3}, 0, 1, 3)), Tensor::random_normal({8, 1}, 0, 1, 4)};
}

Model trained_two_heads() {
  Model model = two_heads();
  model.compile(Adam(0.01), {{"class_out", "categorical_crossentropy"}, {"value_out", "mse"}},
                {{"class_out", {"accuracy"}}}, {{"value_out", 0.5}});
  model.fit(inputs(), targets(), FitOptions().epochs(2).batch_size(4).shuffle(false).verbose(0));
  return model;
}

double max_diff(const TensorList& a, const TensorList& b) {
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, max_relative_diff(a[i], b[i]));
  return worst;
}

}  // namespace

TEST_CASE("a .keras archive of nabla's loads back: predictions, compile and optimizer state") {
  TempDir dir;
  Model model = trained_two_heads();
  model.save(dir / "m.keras");
  FileAttributes attributes;
  Model loaded = load_model(dir / "m.keras", Device::CPU, &attributes);
  CHECK(loaded.class_name() == "Functional");
  CHECK(loaded.name() == "two_heads");
  CHECK(loaded.input_names() == model.input_names());
  CHECK(loaded.output_names() == model.output_names());
  CHECK(max_diff(model.predict(inputs()), loaded.predict(inputs())) == 0.0);
  REQUIRE(loaded.compiled());
  CHECK(loaded.optimizer().class_name() == "Adam");
  CHECK(loaded.optimizer().learning_rate() == doctest::Approx(0.01));
  CHECK(loaded.optimizer().iterations_value() == 4);
  CHECK(loaded.metrics_names() == model.metrics_names());
  // One more step from the restored state is the same step.
  const FitOptions one = FitOptions().epochs(1).batch_size(8).shuffle(false).verbose(0);
  const History a = model.fit(inputs(), targets(), one), b = loaded.fit(inputs(), targets(), one);
  CHECK(a.history.at("loss")[0] == doctest::Approx(b.history.at("loss")[0]).epsilon(1e-6));
  CHECK(max_diff(model.get_weights(), loaded.get_weights()) < 1e-6);

  // Attributes travel in metadata.json.
  save_model(model, dir / "with.keras", {{"preprocessing", "{\"scale\": 2}"}});
  load_model(dir / "with.keras", Device::CPU, &attributes);
  CHECK(attributes.at("preprocessing") == "{\"scale\": 2}");
}

TEST_CASE("nabla writes a .keras archive as Keras 3 does") {
  TempDir dir;
  Model model = trained_two_heads();
  model.save(dir / "m.keras");
  const ZipReader zip(dir / "m.keras");
  REQUIRE(zip.entries().size() == 3);
  CHECK(zip.entries()[0].name == "metadata.json");
  CHECK(zip.entries()[1].name == "config.json");
  CHECK(zip.entries()[2].name == "model.weights.h5");
  for (const ZipEntry& e : zip.entries()) CHECK(e.method == 0);  // stored, as Keras stores them

  const json metadata = json::parse(zip.read("metadata.json"));
  CHECK(metadata.at("keras_version").get<std::string>()[0] == '3');
  CHECK(metadata.at("date_saved").get<std::string>().find('@') != std::string::npos);

  const json config = json::parse(zip.read("config.json"));
  CHECK(config.at("module") == "keras.src.models.functional");
  CHECK(config.at("class_name") == "Functional");
  CHECK(config.at("registered_name") == "Functional");
  CHECK(config.at("build_config") == json{{"input_shape", nullptr}});
  std::map<std::string, json> entry;  // layer entries by name
  for (const json& l : config.at("config").at("layers")) entry[l.at("name")] = l;
  CHECK(entry.at("features").at("config").at("batch_shape") == json::parse("[null, 5]"));
  CHECK_FALSE(entry.at("features").at("config").contains("batch_input_shape"));
  const json node = entry.at("features_dense").at("inbound_nodes").at(0);
  CHECK(node.at("args").at(0).at("class_name") == "__keras_tensor__");
  CHECK(node.at("args").at(0).at("config").at("shape") == json::parse("[null, 5]"));
  CHECK(node.at("args").at(0).at("config").at("keras_history") ==
        json::parse(R"(["features", 0, 0])"));
  CHECK(node.at("kwargs") == json::object());
  CHECK(entry.at("features_dense").at("build_config") ==
        json::parse(R"({"input_shape": [null, 5]})"));
  const json& block = entry.at("block");
  CHECK(block.at("class_name") == "Sequential");
  CHECK(block.at("module") == "keras");
  CHECK(block.at("config").at("layers").at(0).at("config").contains("batch_shape"));
  CHECK(block.at("inbound_nodes").at(0).at("args").at(0).at("config").at("keras_history") ==
        json::parse(R"(["features_dense", 0, 0])"));
  CHECK(config.at("config").at("input_layers") ==
        json::parse(R"([["features", 0, 0], ["extra", 0, 0]])"));

  const json& compile = config.at("compile_config");
  CHECK(compile.at("optimizer").at("module") == "keras.optimizers");
  CHECK(compile.at("optimizer").at("class_name") == "Adam");
  CHECK(compile.at("loss") ==
        json::parse(
            R"({"class_out": "categorical_crossentropy", "value_out": "mean_squared_error"})"));
  CHECK(compile.at("loss_weights").at("value_out") == 0.5);
  CHECK(compile.at("metrics").at("class_out") == json::parse(R"(["accuracy"])"));

  // model.weights.h5: keys by class, names in the `name` attributes, the optimizer by position.
  const h5::Group root = h5::open_image(zip.read("model.weights.h5"), "weights");
  CHECK(root.group("vars").get_string("name") == "two_heads");
  CHECK(root.group("layers/input_layer/vars").get_string("name") == "features");
  CHECK(root.group("layers/input_layer_1/vars").get_string("name") == "extra");
  CHECK(root.group("layers/dense/vars").get_string("name") == "features_dense");
  CHECK(root.group("layers/sequential/vars").get_string("name") == "block");
  CHECK(root.group("layers/sequential/layers/dense_1/vars").get_string("name") == "block_out");
  CHECK(root.group("layers/dense_2/vars").get_string("name") == "value_out");
  CHECK(root.group("layers/dense/vars").dataset_shape("0") == Shape{5, 6});
  const h5::Group opt = root.group("optimizer/vars");
  CHECK(opt.get_string("name") == model.optimizer().name());
  CHECK(opt.read_int("0") == 4);
  CHECK(opt.read("1").at(0) == doctest::Approx(0.01));
  CHECK(opt.children().size() == 2 + 2 * model.trainable_weights().size());
  CHECK(opt.dataset_shape("2") == Shape{5, 6});  // momentum of features_dense's kernel
}

TEST_CASE("a Sequential's .keras and .weights.h5 round-trip, non-trainable weights included") {
  TempDir dir;
  set_seed(3);
  Sequential model({Input({4}), Dense(8, "relu"), BatchNormalization(), Dropout(0.2), Dense(2)},
                   "seq");
  model.compile(SGD(SGDOptions(0.05).momentum(0.9)), "mse", {"mae"});
  const Tensor x = Tensor::random_normal({16, 4}, 0, 1, 5),
               y = Tensor::random_normal({16, 2}, 0, 1, 6);
  model.fit(x, y, FitOptions().epochs(2).batch_size(8).verbose(0));
  model.save(dir / "s.keras");
  Model loaded = load_model(dir / "s.keras");
  CHECK(loaded.class_name() == "Sequential");
  CHECK(max_relative_diff(model.predict(x), loaded.predict(x)) == 0.0);
  CHECK(loaded.optimizer().class_name() == "SGD");

  model.save_weights(dir / "s.weights.h5");
  const h5::Group root = h5::open_file(dir / "s.weights.h5");
  CHECK(root.has("layers/dense/vars/1"));  // Keras 3's native layout, no InputLayer
  CHECK(root.group("layers/batch_normalization/vars").children().size() == 4);
  CHECK_FALSE(root.has("layers/input_layer"));
  CHECK(root.has("optimizer/vars/2"));
  Sequential fresh({Input({4}), Dense(8, "relu"), BatchNormalization(), Dropout(0.2), Dense(2)});
  fresh.load_weights(dir / "s.weights.h5");
  CHECK(max_relative_diff(model.predict(x), fresh.predict(x)) == 0.0);
  fresh.load_weights(dir / "s.keras");  // a .keras archive's weights
  CHECK(max_relative_diff(model.predict(x), fresh.predict(x)) == 0.0);
  // A plain .h5 name keeps Keras 2's legacy layout.
  model.save_weights(dir / "legacy.h5");
  CHECK(h5::open_file(dir / "legacy.h5").has_attribute("layer_names"));
}

TEST_CASE("the file name's extension chooses the format; others are a ValueError naming it") {
  TempDir dir;
  Sequential model({Input({2}), Dense(1)});
  CHECK(file_format("a.keras") == FileFormat::kKerasArchive);
  CHECK(file_format("a.weights.h5") == FileFormat::kKeras3Weights);
  CHECK(file_format("a.hdf5") == FileFormat::kH5);
  CHECK(file_format("a.H5") == FileFormat::kUnknown);
  CHECK_THROWS_WITH_AS(model.save(dir / "m.txt"), doctest::Contains("unknown extension '.txt'"),
                       ValueError);
  CHECK_THROWS_WITH_AS(model.save(dir / "m"), doctest::Contains("no extension"), ValueError);
  CHECK_THROWS_WITH_AS(model.save(dir / "m.weights.h5"), doctest::Contains("save_weights"),
                       ValueError);
  CHECK_THROWS_WITH_AS(model.save_weights(dir / "m.keras"), doctest::Contains("save_model"),
                       ValueError);
  CHECK_THROWS_WITH_AS(model.load_weights(dir / "m.json"), doctest::Contains("'.json'"),
                       ValueError);
  CHECK_THROWS_WITH_AS(load_model(dir / "m.ckpt"), doctest::Contains("'.ckpt'"), ValueError);
  model.save_weights(dir / "w.weights.h5");
  CHECK_THROWS_WITH_AS(load_model(dir / "w.weights.h5"), doctest::Contains("weights only"),
                       IOError);
  CHECK_FALSE(std::filesystem::exists(dir / "m.txt"));
}

TEST_CASE("weights of layers saved in another order are refused, not loaded into wrong layers") {
  TempDir dir;
  set_seed(4);
  Tensor x = Input({3}, "x");
  Model saved(x, Dense(3, "linear", "second")(Dense(3, "linear", "first")(x)), "m");
  saved.save_weights(dir / "w.weights.h5");
  // Other names: loaded by Keras's keys (dense, dense_1), as Keras does.
  Tensor y = Input({3}, "y");
  Model renamed(y, Dense(3, "linear", "b")(Dense(3, "linear", "a")(y)), "n");
  renamed.load_weights(dir / "w.weights.h5");
  CHECK(max_diff(renamed.get_weights(), saved.get_weights()) == 0.0);
  // The same names in the other order: key dense holds 'first' but is 'second' here.
  Tensor z = Input({3}, "x");
  Model swapped(z, Dense(3, "linear", "first")(Dense(3, "linear", "second")(z)), "m");
  const TensorList kept = swapped.get_weights();
  CHECK_THROWS_WITH_AS(swapped.load_weights(dir / "w.weights.h5"),
                       doctest::Contains("holds the weights of layer 'first'"), IOError);
  CHECK(max_diff(swapped.get_weights(), kept) == 0.0);  // nothing loaded
}
