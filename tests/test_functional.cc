// Functional models built in C++: layer calls on Keras tensors, several inputs and outputs,
// shared layers, models as layers, training by output name, files and configs round trips, and
// the errors of badly connected graphs.
#include <doctest/doctest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "framework/nabla.h"
#include "keras_test_data.h"

using namespace nabla;
using nabla::testing::max_abs_diff;
namespace fs = std::filesystem;

namespace {

// features (5) and extra (3) -> a 3-class softmax head and a regression head.
Model two_in_two_out() {
  set_seed(5);
  Tensor features = Input({5}, "features");
  Tensor extra = Input({3}, "extra");
  Tensor a = Dense(6, "relu", "features_dense")(features);
  Tensor joined = Dense(8, "relu", "trunk")(Dense(7, "linear", "mix")(a));
  return Model({features, extra},
               {Dense(3, "softmax", "class_out")(joined), Dense(1, "linear", "value_out")(joined)},
               "two_heads");
}

}  // namespace

TEST_CASE("a functional model applies its layers as an equal Sequential does") {
  set_seed(1);
  Tensor x = Input({4}, "x");
  Tensor h = Dense(8, "relu", "hidden")(x);
  Model model(x, Dense(2, "linear", "out")(h), "mlp");
  CHECK(model.class_name() == "Functional");
  CHECK(model.input_names() == std::vector<std::string>{"x"});
  CHECK(model.output_names() == std::vector<std::string>{"out"});
  REQUIRE(model.layers().size() == 3);
  CHECK(model.layers()[0]->class_name() == "InputLayer");
  CHECK(model.count_params() == 4 * 8 + 8 + 8 * 2 + 2);

  Sequential same({Input({4}), Dense(8, "relu"), Dense(2)});
  same.set_weights(model.get_weights());
  const Tensor data = Tensor::random_normal({7, 4}, 0, 1, 3);
  CHECK(max_abs_diff(model.predict(data), same.predict(data)) == 0.0);
  CHECK(max_abs_diff(model(data), same(data)) == 0.0);  // eager call
}

TEST_CASE("a layer called twice is one layer with shared weights") {
  set_seed(2);
  Tensor left = Input({3}, "left"), right = Input({3}, "right");
  Dense shared(4, "tanh", "shared");
  Tensor a = shared(left), b = shared(right);
  Model model({left, right}, {a, b});
  CHECK(model.layers().size() == 3);  // left, right, shared
  CHECK(model.weights().size() == 2);
  const Tensor x = Tensor::random_normal({5, 3}, 0, 1, 4);
  const TensorList out = model.predict(TensorList{x, x});
  REQUIRE(out.size() == 2);
  CHECK(max_abs_diff(out[0], out[1]) == 0.0);
  const nlohmann::json config = model.get_config();
  const auto& shared_entry = config["config"]["layers"][2];
  CHECK(shared_entry["name"] == "shared");
  CHECK(shared_entry["inbound_nodes"].size() == 2);
  CHECK(config["config"]["output_layers"][1] == nlohmann::json{"shared", 1, 0});
}

TEST_CASE("a Sequential and a functional model are layers of a functional model") {
  set_seed(3);
  Sequential block({Input({4}), Dense(5, "relu"), Dense(3)}, "block");
  Tensor x = Input({4}, "x");
  Tensor inner_in = Input({3}, "inner_in");
  Model inner(inner_in, Dense(2, "linear", "inner_dense")(inner_in), "inner");
  Model outer(x, inner(block(x)), "outer");
  CHECK(outer.layers().size() == 3);  // x, block, inner
  CHECK(outer.count_params() == block.count_params() + inner.count_params());
  const Tensor data = Tensor::random_normal({6, 4}, 0, 1, 5);
  CHECK(max_abs_diff(outer.predict(data), inner.predict(block.predict(data))) < 1e-6);
  const std::string json = outer.to_json();
  Model copy = model_from_json(json);
  CHECK(copy.to_json() == json);
}

TEST_CASE("several inputs and outputs train by name with a loss per output") {
  set_seed(7);
  Tensor features = Input({5}, "features");
  Tensor extra = Input({3}, "extra");
  Tensor trunk = Dense(8, "relu", "trunk")(Dense(6, "relu", "features_dense")(features));
  Tensor side = Dense(8, "relu", "extra_dense")(extra);
  Tensor joined = Dense(8, "relu", "joined")(trunk);
  (void)side;
  Model model({features, extra},
              {Dense(3, "softmax", "class_out")(joined), Dense(1, "linear", "value_out")(joined)});
  model.compile("adam", {{"class_out", "sparse_categorical_crossentropy"}, {"value_out", "mse"}},
                {{"class_out", {"accuracy"}}}, {{"value_out", 0.5}});
  const int n = 64;
  const NamedTensors x{{"features", Tensor::random_normal({n, 5}, 0, 1, 8)},
                       {"extra", Tensor::random_normal({n, 3}, 0, 1, 9)}};
  const NamedTensors y{
      {"class_out", cast(floor(Tensor::random_uniform({n}, 0, 3, 10)), DType::Int32)},
      {"value_out", Tensor::random_normal({n, 1}, 0, 1, 11)}};
  const History h = model.fit(x, y, FitOptions().epochs(3).batch_size(16).verbose(0));
  for (const char* key : {"loss", "class_out_loss", "value_out_loss", "class_out_accuracy"}) {
    CAPTURE(key);
    REQUIRE(h.history.count(key));
  }
  const Logs logs = model.evaluate(x, y, EvaluateOptions().verbose(0));
  CHECK(logs.at("loss") ==
        doctest::Approx(logs.at("class_out_loss") + 0.5 * logs.at("value_out_loss")).epsilon(1e-5));
  const TensorList p = model.predict(x);
  REQUIRE(p.size() == 2);
  CHECK(p[0].shape() == Shape{n, 3});
  CHECK(p[1].shape() == Shape{n, 1});
  CHECK_THROWS_WITH_AS(model.fit(NamedTensors{{"features", x.at("features")}}, y),
                       doctest::Contains("no entry for 'extra'"), ValueError);
}

TEST_CASE("a functional model saved to .h5 loads back with the same predictions and training") {
  const fs::path file = fs::temp_directory_path() / "nabla_functional.h5";
  Model model = two_in_two_out();
  model.compile("adam", {{"class_out", "categorical_crossentropy"}, {"value_out", "mse"}});
  const TensorList x{Tensor::random_normal({9, 5}, 0, 1, 1),
                     Tensor::random_normal({9, 3}, 0, 1, 2)};
  const TensorList y{softmax(Tensor::random_normal({9, 3}, 0, 1, 3)),
                     Tensor::random_normal({9, 1}, 0, 1, 4)};
  model.fit(x, y, FitOptions().epochs(1).batch_size(4).verbose(0));
  model.save(file.string());
  Model loaded = load_model(file.string());
  CHECK(loaded.class_name() == "Functional");
  CHECK(loaded.output_names() == model.output_names());
  const TensorList a = model.predict(x), b = loaded.predict(x);
  CHECK(max_abs_diff(a[0], b[0]) == 0.0);
  CHECK(max_abs_diff(a[1], b[1]) == 0.0);
  // The optimizer's state came back: one more step is the same step.
  model.fit(x, y, FitOptions().epochs(1).batch_size(9).shuffle(false).verbose(0));
  loaded.fit(x, y, FitOptions().epochs(1).batch_size(9).shuffle(false).verbose(0));
  CHECK(max_abs_diff(model.predict(x)[1], loaded.predict(x)[1]) < 1e-6);
  fs::remove(file);
}

TEST_CASE("badly connected graphs are clear errors") {
  {
    Tensor x = Input({3}, "x");
    Tensor op_result = Dense(3, "linear", "pre")(x) * 2.0f;  // an op, not a layer
    CHECK_THROWS_WITH_AS(Dense(2)(op_result), doctest::Contains("not of a layer"), ValueError);
  }
  Tensor a = Input({3}, "a"), b = Input({3}, "b");
  Tensor out = Dense(2, "linear", "needs_b")(b);
  CHECK_THROWS_WITH_AS(Model(a, out), doctest::Contains("not among the model's inputs"),
                       ValueError);
  CHECK_THROWS_WITH_AS(Model(Tensor::ones({2, 3}), out), doctest::Contains("Keras tensor"),
                       ValueError);
  Tensor h = Dense(4, "relu", "h")(a);
  CHECK_THROWS_WITH_AS(Model(h, Dense(1, "linear", "o")(h)), doctest::Contains("come from Input()"),
                       ValueError);
  Tensor c = Dense(2, "linear", "twin")(a);
  Tensor d = Dense(2, "linear", "twin")(c);
  CHECK_THROWS_WITH_AS(Model(a, d), doctest::Contains("used by two layers"), ValueError);
  CHECK_THROWS_WITH_AS(Dense(2)(TensorList{a, b}), doctest::Contains("takes 1 input"), ValueError);
  CHECK_THROWS_WITH_AS(model_from_json(R"({"class_name": "Functional", "config": {"layers": [
      {"class_name": "InputLayer", "name": "x", "config": {"batch_input_shape": [null, 2], "name": "x"},
       "inbound_nodes": []},
      {"class_name": "Dense", "name": "d", "config": {"units": 2, "name": "d"},
       "inbound_nodes": [[["ghost", 0, 0, {}]]]}],
      "input_layers": [["x", 0, 0]], "output_layers": [["d", 0, 0]]}})"),
                       doctest::Contains("no layer named 'ghost'"), ValueError);
}

TEST_CASE("a Functional model's JSON names the module Keras 3 finds the class in") {
  // Keras 3's model_from_json looks classes up through "module": Functional is not in module
  // "keras" but in keras.src.models.functional, under the registered name "Functional".
  Tensor x = Input({3}, "x");
  Model model(x, Dense(2, "linear", "out")(x), "tiny");
  const nlohmann::json j = nlohmann::json::parse(model.to_json());
  CHECK(j["class_name"] == "Functional");
  CHECK(j["module"] == "keras.src.models.functional");
  CHECK(j["registered_name"] == "Functional");
  CHECK(model_from_json(model.to_json()).to_json() == model.to_json());
  Sequential seq({Input({3}), Dense(2)});
  CHECK(nlohmann::json::parse(seq.to_json())["module"] == "keras");
}
