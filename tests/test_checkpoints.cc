// HDF5 checkpoints in Keras's layout: round trips, resumed training, failures that leave earlier
// files and models untouched, and real Keras files.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "framework/io/hdf5.h"
#include "keras_test_data.h"
#include "temp_dir.h"

using namespace nabla;
using namespace nabla::testing;
namespace fs = std::filesystem;

namespace {

Sequential all_layers_model() {
  set_seed(21);
  return Sequential({Input({6}), Dense(8, "relu"), BatchNormalization(), Dropout(0.25),
                     Dense(8, "tanh"), LayerNormalization(), Dense(3, "softmax")});
}

bool bitwise_equal(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && std::memcmp(a.raw_data(), b.raw_data(),
                                               static_cast<size_t>(a.numel()) * sizeof(float)) == 0;
}

}  // namespace

TEST_CASE(
    "save then load_model gives bitwise identical predictions (Dense, Dropout, BatchNorm, "
    "LayerNorm)") {
  TempDir dir;
  auto [x, y] = spiral_data(20);
  Tensor x6 = concat({x, x * 2.f, x * -1.f}, 1);
  Sequential model = all_layers_model();
  model.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
  model.fit(x6, y, FitOptions().epochs(2).batch_size(8).verbose(0));  // moving statistics move
  const Tensor before = model.predict(x6);
  model.save(dir / "model.h5");
  Sequential loaded = load_model(dir / "model.h5");
  CHECK(bitwise_equal(loaded.predict(x6), before));
  CHECK(loaded.optimizer().iterations_value() == model.optimizer().iterations_value());

  model.save_weights(dir / "weights.h5");
  Sequential fresh = all_layers_model();
  fresh.load_weights(dir / "weights.h5");
  CHECK(bitwise_equal(fresh.predict(x6), before));
}

TEST_CASE("training resumed from a checkpoint continues exactly where it stopped") {
  TempDir dir;
  auto [x, y] = spiral_data(20);
  Tensor x6 = concat({x, x * 2.f, x * -1.f}, 1);
  const Tensor labels = y;  // clang 14's lambdas cannot capture a structured binding
  auto fit = [&](Sequential& m, int from, int to) {
    m.fit(x6, labels,
          FitOptions().epochs(to).initial_epoch(from).batch_size(8).seed(77).verbose(0));
  };
  Sequential straight = all_layers_model();
  straight.compile(Adam(0.01), "sparse_categorical_crossentropy");
  fit(straight, 0, 4);

  Sequential first = all_layers_model();
  first.compile(Adam(0.01), "sparse_categorical_crossentropy");
  fit(first, 0, 2);
  first.save(dir / "half.h5");
  Sequential resumed = load_model(dir / "half.h5");
  fit(resumed, 2, 4);
  CHECK(max_abs_diff(resumed.get_weights(), straight.get_weights()) <= 1e-6);
}

TEST_CASE("the file layout is Keras's, as an independent reader (h5dump) sees it") {
  if (std::system("h5dump --version > /dev/null 2>&1") != 0) {
    MESSAGE(
        "h5dump (Debian's hdf5-tools) is not installed; layout not checked by an independent "
        "reader");
    return;
  }
  TempDir dir;
  reset_layer_names();
  set_seed(1);
  Sequential model({Input({4}), Dense(3, "relu"), Dropout(0.5), Dense(2)});
  model.compile("adam", "mse");
  model.save(dir / "m.h5");
  model.save_weights(dir / "w.h5");
  auto dump = [&](const std::string& args) {
    const std::string out = dir / "dump.txt";
    REQUIRE(std::system(("h5dump " + args + " > " + out + " 2>&1").c_str()) == 0);
    std::ifstream in(out);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  const std::string w = dump("-A " + dir / "w.h5");
  CHECK(w.find("ATTRIBUTE \"layer_names\"") != std::string::npos);
  CHECK(w.find("STRSIZE 7;") != std::string::npos);  // fixed-length: "dropout" is the longest name
  CHECK(w.find("STRPAD H5T_STR_NULLPAD;") != std::string::npos);
  CHECK(w.find("\"dense\\000\\000\", \"dropout\", \"dense_1\"") !=
        std::string::npos);  // null-padded
  CHECK(w.find("ATTRIBUTE \"keras_version\"") != std::string::npos);
  CHECK(w.find("STRSIZE H5T_VARIABLE;") != std::string::npos);  // scalar strings: variable-length
  CHECK(w.find("\"dense/kernel:0\", \"dense/bias:0\\000\\000\"") != std::string::npos);
  const std::string kernel = dump("-H -d /dense/dense/kernel:0 " + dir / "w.h5");
  CHECK(kernel.find("H5T_IEEE_F32LE") != std::string::npos);
  CHECK(kernel.find("SIMPLE { ( 4, 3 ) / ( 4, 3 ) }") != std::string::npos);  // [in, out]
  const std::string bias = dump("-H -d /dense/dense/bias:0 " + dir / "w.h5");
  CHECK(bias.find("SIMPLE { ( 3 ) / ( 3 ) }") != std::string::npos);
  const std::string m = dump("-A -H " + dir / "m.h5");
  for (const char* key :
       {"ATTRIBUTE \"model_config\"", "ATTRIBUTE \"training_config\"", "GROUP \"model_weights\"",
        "GROUP \"optimizer_weights\"", "DATASET \"kernel:0\""})
    CHECK(m.find(key) != std::string::npos);
  CHECK(dump("-H -d /model_weights/dense_1/dense_1/kernel:0 " + dir / "m.h5").find("( 3, 2 )") !=
        std::string::npos);
}

TEST_CASE("the two real Keras files load and reproduce Keras's predictions") {
  const std::string data = NABLA_TEST_DATA;
  {  // Keras 2.0.0 save_weights, architecture built in code
    Sequential model({Input({2}), Dense(4, "relu"), Dense(1, "sigmoid")});
    model.load_weights(data + "/keras-h5/tinydnn_xor_keras200_weights.h5");
    const Tensor p = model.predict(Tensor({0.f, 0.f, 1.f, 1.f, 0.f, 1.f, 1.f, 0.f}, {4, 2}));
    const double expected[] = {0.179693, 0.179809, 0.926772, 0.913209};
    for (int i = 0; i < 4; ++i) CHECK(p.at(i) == doctest::Approx(expected[i]).epsilon(1e-5));
  }
  {  // Keras 2.1.4 model.save, list-form Sequential config
    Sequential model = load_model(data + "/keras-h5/konduit_keras214_listform_model.h5");
    const Tensor p =
        model.predict(Tensor({1.f, 0.f, 5.f, 10.f, 100.f, 55.f, 555.f, 1000.f}, {2, 4}));
    const double expected[] = {0.1628401, 0.7828045, 0.0543554, 0, 1, 0};
    for (int i = 0; i < 6; ++i) CHECK(std::fabs(p.at(i) - expected[i]) < 1e-5);
  }
}

TEST_CASE("load failures are clear and leave the model untouched") {
  TempDir dir;
  Sequential model = all_layers_model();
  const TensorList original = model.get_weights();
  model.save_weights(dir / "good.h5");

  CHECK_THROWS_WITH_AS(model.load_weights(dir / "missing.h5"), doctest::Contains("does not exist"),
                       IOError);
  { std::ofstream(dir / "text.h5") << "this is not HDF5"; }
  CHECK_THROWS_WITH_AS(model.load_weights(dir / "text.h5"),
                       doctest::Contains("is not an HDF5 file"), IOError);
  {  // truncated: the first half of a good file
    const auto size = fs::file_size(dir / "good.h5");
    std::ifstream in(dir / "good.h5", std::ios::binary);
    std::string bytes(size / 2, '\0');
    in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    std::ofstream(dir / "truncated.h5", std::ios::binary) << bytes;
  }
  CHECK_THROWS_AS(model.load_weights(dir / "truncated.h5"), IOError);

  Sequential other({Input({6}), Dense(8, "relu"), Dense(3)});
  other.save_weights(dir / "fewer_layers.h5");
  CHECK_THROWS_WITH_AS(model.load_weights(dir / "fewer_layers.h5"),
                       doctest::Contains("layers with weights"), IOError);

  Sequential wide({Input({6}), Dense(9, "relu"), BatchNormalization(), Dropout(0.25),
                   Dense(8, "tanh"), LayerNormalization(), Dense(3, "softmax")});
  wide.save_weights(dir / "wide.h5");
  CHECK_THROWS_WITH_AS(model.load_weights(dir / "wide.h5"),
                       doctest::Contains("shape (6, 9) does not match weight"), IOError);
  CHECK_THROWS_WITH_AS(model.load_weights(dir / "wide.h5"), doctest::Contains("kernel:0'"),
                       IOError);
  CHECK_THROWS_WITH_AS(model.load_weights(dir / "wide.h5"), doctest::Contains("of shape (6, 8)"),
                       IOError);
  CHECK(max_abs_diff(model.get_weights(), original) == 0.0);
  CHECK_THROWS_WITH_AS(load_model(dir / "good.h5"), doctest::Contains("holds weights only"),
                       IOError);
}

TEST_CASE("a save that fails midway leaves the previous checkpoint intact") {
  TempDir dir;
  Sequential model = all_layers_model();
  model.compile("adam", "sparse_categorical_crossentropy");
  model.save(dir / "ckpt.h5");
  const Tensor x = Tensor::random_uniform({4, 6}, -1, 1, 5);
  const Tensor before = load_model(dir / "ckpt.h5").predict(x);

  Sequential changed = all_layers_model();
  changed.compile("adam", "sparse_categorical_crossentropy");
  h5::testing::fail_after_datasets(3);
  CHECK_THROWS_WITH_AS(changed.save(dir / "ckpt.h5"), doctest::Contains("injected failure"),
                       IOError);
  CHECK(bitwise_equal(load_model(dir / "ckpt.h5").predict(x), before));
  int leftovers = 0;
  for (const auto& e : fs::directory_iterator(dir.path))
    leftovers += e.path().filename() != "ckpt.h5";
  CHECK(leftovers == 0);

  // A process killed while saving, over and over, never leaves a broken file behind.
  const pid_t child = fork();
  if (child == 0) {
    for (int i = 0; i < 1000; ++i) changed.save(dir / "ckpt.h5");
    _exit(0);
  }
  usleep(150000);
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  CHECK_NOTHROW(load_model(dir / "ckpt.h5").predict(x));
}

TEST_CASE("a save into a missing directory is a clear error") {
  Sequential model({Input({2}), Dense(1)});
  CHECK_THROWS_WITH_AS(model.save_weights("/nonexistent-dir/x.h5"),
                       doctest::Contains("does not exist"), IOError);
}

TEST_CASE("hard_sigmoid of either Keras version reads back as the same function") {
  TempDir dir;
  const Tensor x = Tensor::random_normal({6, 4}, 0, 2, 9);
  auto round_trip = [&](Sequential& m, const char* version) {
    m.save(dir / "m.h5");
    m.save_weights(dir / "w.h5");
    CHECK(h5::open_file(dir / "m.h5").get_string("keras_version") == version);
    CHECK(bitwise_equal(load_model(dir / "m.h5").predict(x), m.predict(x)));
    Sequential rebuilt = model_from_json(m.to_json());
    rebuilt.load_weights(dir / "w.h5");
    CHECK(bitwise_equal(rebuilt.predict(x), m.predict(x)));
  };
  Sequential keras3({Input({4}), Dense(3, "hard_sigmoid")});  // relu6(x + 3) / 6
  round_trip(keras3, "3.0.0");
  Sequential keras2 = [] {
    KerasVersionScope v(2);  // clip(0.2 x + 0.5, 0, 1), as read from a Keras 2 file
    return Sequential({Input({4}), Dense(3, "hard_sigmoid")});
  }();
  round_trip(keras2, "2.15.0");
  CHECK(max_abs_diff({keras3.predict(x)}, {keras2.predict(x)}) > 0.01);

  const ActivationFn keras2_fn = [] {
    KerasVersionScope v(2);
    return ActivationFn("hard_sigmoid");
  }();
  Sequential both({Input({4}), Dense(4, "hard_sigmoid"), Dense(3, keras2_fn)});
  both.predict(x);
  CHECK_THROWS_WITH_AS(both.save(dir / "both.h5"), doctest::Contains("Keras 2's hard_sigmoid"),
                       ValueError);
}

// What scripts/keras/check_nabla_files.sh needs of a file for tf-keras 2 and Keras 3 to read it.
TEST_CASE("files carry what tf-keras 2 and Keras 3 need to read them") {
  TempDir dir;
  reset_layer_names();
  set_seed(3);
  Sequential model({Input({4}), Dense(3, "relu"), Dropout(0.5), Dense(2)});
  model.compile(AdamW(AdamWOptions(0.01).weight_decay(0.02)), "mse");
  model.save(dir / "m.h5");

  // Keras 3's model_from_json finds built-in classes through "module" only.
  const nlohmann::json j = nlohmann::json::parse(model.to_json());
  CHECK(j["module"] == "keras");
  CHECK(j["config"]["layers"][1]["module"] == "keras.layers");
  CHECK(j["config"]["layers"][1]["config"]["kernel_initializer"]["module"] == "keras.initializers");
  // Keras 3 refuses Dropout seeds of 2^63 or more.
  CHECK(j["config"]["layers"][2]["config"]["seed"].get<uint64_t>() <= uint64_t{INT64_MAX});
  CHECK_THROWS_WITH_AS(Dropout(0.5, uint64_t{1} << 63), doctest::Contains("below 2^63"),
                       ValueError);

  // tf-keras picks its current optimizer classes from "Custom>" and is_legacy_optimizer, and
  // rejects Keras 3's extra keys; Keras 3 makes the optimizer named by "name".
  const h5::Group root = h5::open_file(dir / "m.h5");
  CHECK(root.get_string("keras_version") == "2.15.0");
  const nlohmann::json opt =
      nlohmann::json::parse(root.get_string("training_config"))["optimizer_config"];
  CHECK(opt["class_name"] == "Custom>AdamW");
  CHECK(opt["config"]["name"] == "AdamW");
  CHECK(opt["config"]["is_legacy_optimizer"] == false);
  CHECK(opt["config"]["weight_decay"] == 0.02);
  CHECK_FALSE(opt["config"].contains("loss_scale_factor"));
  CHECK_FALSE(opt["config"].contains("gradient_accumulation_steps"));
  Sequential loaded = load_model(dir / "m.h5");
  CHECK(loaded.optimizer().class_name() == "AdamW");
  CHECK(loaded.optimizer().get_config()["weight_decay"] == 0.02);
}

TEST_CASE("optimizer state is written in Keras's order and read back") {
  TempDir dir;
  auto [x, y] = spiral_data(10);
  reset_layer_names();
  Sequential model({Input({2}), Dense(4, "relu"), Dense(3)});
  model.compile(RMSprop(RMSpropOptions(0.01).momentum(0.5).centered(true)),
                "sparse_categorical_crossentropy");
  model.fit(x, y, FitOptions().epochs(1).batch_size(10).verbose(0));
  model.save(dir / "m.h5");
  // Keras makes every velocity, then every momentum, then every average gradient, and its
  // set_weights assigns the file's values in that order.
  const std::vector<std::string> names =
      h5::open_file(dir / "m.h5").group("optimizer_weights").get_string_list("weight_names");
  REQUIRE(names.size() == 13);
  CHECK(names[0] == "iteration:0");
  CHECK(names[1] == "rm_sprop/dense_kernel_velocity:0");
  CHECK(names[4] == "rm_sprop/dense_1_bias_velocity:0");
  CHECK(names[5] == "rm_sprop/dense_kernel_momentum:0");
  CHECK(names[12] == "rm_sprop/dense_1_bias_average_gradient:0");

  // Read back by name (the file names the optimizer "RMSprop", as tf-keras does).
  Sequential loaded = load_model(dir / "m.h5");
  CHECK(loaded.optimizer().name() == "RMSprop");
  const VariableList a = model.optimizer().variables_in_keras_order();
  const VariableList b = loaded.optimizer().variables_in_keras_order();
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) CHECK(max_abs_diff({a[i].value()}, {b[i].value()}) == 0);
}

TEST_CASE("a file that lists a weight it does not hold is a clear error naming the path") {
  TempDir dir;
  reset_layer_names();
  Sequential model({Input({2}), Dense(3)});
  const TensorList original = model.get_weights();
  h5::write_atomically(dir / "broken.h5", [](h5::Group& root) {
    root.set_string_list("layer_names", {"dense"});
    h5::Group g = root.create_group("dense");
    g.set_string_list("weight_names", {"dense/kernel:0", "dense/bias:0"});
    g.write("dense/kernel:0", Tensor::zeros({2, 3}));  // the bias is missing
  });
  CHECK_THROWS_WITH_AS(model.load_weights(dir / "broken.h5"),
                       doctest::Contains("'/dense/dense/bias:0': dataset not found"), IOError);
  CHECK(max_abs_diff(model.get_weights(), original) == 0.0);
}
