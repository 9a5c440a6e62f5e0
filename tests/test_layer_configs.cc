// Normalization's adapt(), the configs of the layers of Dense-family Keras files (a model of
// each, through to_json and model_from_json, predicts the same; Keras's own config forms read),
// and bad input: clear errors naming the layer.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "framework/io/hdf5.h"
#include "framework/nabla.h"
#include "keras_test_data.h"

using namespace nabla;
using nabla::testing::max_abs_diff;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

LayerPtr layer_from(const std::string& cls, const json& config) {
  return LayerRegistry::global().from_config({{"class_name", cls}, {"config", config}});
}

}  // namespace

TEST_CASE("Normalization adapts to data as Keras does and standardizes with it") {
  const Tensor data =
      Tensor::random_normal({64, 3}, 0, 1, 1) * Tensor({1.f, 2.f, 0.5f}) + Tensor({5.f, -1.f, 2.f});
  Normalization norm(NormalizationOptions(), "norm");
  norm.adapt(data);
  const VariableList w = norm.weights();
  REQUIRE(w.size() == 3);
  CHECK(w[0].name() == "norm/mean");
  CHECK(w[1].name() == "norm/variance");
  CHECK(w[2].name() == "norm/count");
  CHECK(w[2].dtype() == DType::Int64);
  CHECK(w[2].value().item<int64_t>() == 64);
  CHECK(norm.trainable_weights().empty());
  for (int f = 0; f < 3; ++f) {
    double m = 0, v = 0;
    for (int i = 0; i < 64; ++i) m += data.at(i * 3 + f) / 64;
    for (int i = 0; i < 64; ++i) v += std::pow(data.at(i * 3 + f) - m, 2) / 64;  // biased
    CHECK(w[0].value().at(f) == doctest::Approx(m).epsilon(1e-6));
    CHECK(w[1].value().at(f) == doctest::Approx(v).epsilon(1e-6));
  }
  const Tensor z = norm(data);
  const Tensor mean = reduce_mean(z, {0}), var = reduce_mean(square(z - mean), {0});
  for (int f = 0; f < 3; ++f) {
    CHECK(std::abs(mean.at(f)) < 1e-5);
    CHECK(var.at(f) == doctest::Approx(1.0).epsilon(1e-4));
  }
  // Kept axis 1 of rank-3 data: statistics over axes 0 and 2.
  Normalization per_row(NormalizationOptions().axis({1}));
  per_row.adapt(Tensor::random_normal({5, 4, 6}, 3, 2, 2));
  CHECK(per_row.weights()[0].shape() == Shape{4});
  CHECK(per_row.weights()[2].value().item<int64_t>() == 30);
  // axis = None (no kept axis): one mean and variance.
  Normalization whole(NormalizationOptions().axis({}));
  whole.adapt(data);
  CHECK(whole.weights()[0].shape() == Shape{});
}

TEST_CASE("an adapted Normalization saves its statistics, the count as int64, and loads them") {
  const fs::path file = fs::temp_directory_path() / "nabla_normalization.h5";
  auto norm = std::make_shared<Normalization>(NormalizationOptions(), "norm");
  norm->adapt(Tensor::random_normal({32, 4}, 2, 3, 3));
  Sequential model({Input({4}), norm, Dense(2)});
  model.save(file.string());
  Model loaded = load_model(file.string());
  const Tensor x = Tensor::random_normal({5, 4}, 2, 3, 4);
  CHECK(max_abs_diff(loaded.predict(x), model.predict(x)) == 0.0);
  const VariableList w = loaded.get_layer("norm")->weights();
  CHECK(w[2].dtype() == DType::Int64);
  CHECK(w[2].value().item<int64_t>() == 32);
  CHECK(h5::open_file(file.string()).group("model_weights/norm").read_int("norm/count:0") == 32);
  fs::remove(file);
}

TEST_CASE("a model of every new layer reads back from its JSON with the same predictions") {
  set_seed(3);
  Tensor a = Input({6}, "a"), b = Input({6}, "b");
  Tensor h = Dense(6, "linear", "da")(a), k = Dense(6, "linear", "db")(b);
  auto norm = std::make_shared<Normalization>(NormalizationOptions(), "norm");
  norm->adapt(Tensor::random_normal({16, 6}, 1, 2, 5));
  h = (*norm)(h);
  h = Normalization(NormalizationOptions().mean(Tensor({1.f})).variance(Tensor({4.f})), "given")(h);
  h = UnitNormalization(-1, "unit")(Rescaling(0.5, 0.1, "rescale")(h));
  h = PReLU(PReLUOptions().alpha_initializer("ones"), "prelu")(h);
  h = ELU(0.7, "elu")(ReLU(ReLUOptions().max_value(3).negative_slope(0.1), "relu")(h));
  h = GaussianDropout(0.2, 0,
                      "gdrop")(AlphaDropout(0.1, 0, "adrop")(GaussianNoise(0.1, 0, "gn")(h)));
  h = ActivityRegularization(0.01, 0.0, "act")(h);
  Tensor m = Add("add")({h, k});
  m = Concatenate(
      -1, "cat")({Subtract("sub")({h, k}), Multiply("mul")({h, k}), Average("avg")({h, k, m}),
                  Maximum("max")({h, k}), Minimum("min")({h, k})});
  Tensor r = Reshape({5, 6}, "reshape")(m);
  r = Softmax(std::vector<int64_t>{1, 2}, "softmax")(Permute({2, 1}, "permute")(r));
  Tensor out = Dense(2, "linear", "out")(Reshape(
      {-1}, "flat")(RepeatVector(2, "repeat")(Reshape({-1}, "flat0")(Softmax(1, "softmax1")(r)))));
  Model model({a, b}, {out}, "every_layer");
  const std::string text = model.to_json();
  Model copy = model_from_json(text);
  CHECK(copy.to_json() == text);
  copy.set_weights(model.get_weights());
  const TensorList x{Tensor::random_normal({3, 6}, 0, 1, 6),
                     Tensor::random_normal({3, 6}, 0, 1, 7)};
  CHECK(max_abs_diff(copy.predict(x)[0], model.predict(x)[0]) < 1e-6);
  // Given statistics are in the config, as Keras keeps them; adapted ones are weights.
  const json layers = json::parse(text)["config"]["layers"];
  for (const json& l : layers) {
    if (l["name"] == "given") CHECK(l["config"]["mean"] == json{1.0});
    if (l["name"] == "norm") CHECK(l["config"]["mean"].is_null());
  }
}

TEST_CASE("Keras 2's and Keras 3's configs of the new layers read as Keras meant them") {
  const json policy = {{"module", "keras"},
                       {"class_name", "DTypePolicy"},
                       {"config", {{"name", "float32"}}},
                       {"registered_name", nullptr}};
  // tf-keras writes float32 arguments widened to doubles; they read back as written in Python.
  const LayerPtr elu = layer_from("ELU", {{"name", "e"}, {"alpha", 0.699999988079071}});
  CHECK(elu->get_config()["alpha"] == 0.7);
  const LayerPtr relu = layer_from("ReLU", {{"max_value", 1.5},
                                            {"negative_slope", 0.10000000149011612},
                                            {"dtype", policy},
                                            {"threshold", 0.20000000298023224}});
  CHECK(relu->get_config()["negative_slope"] == 0.1);
  CHECK(relu->get_config()["threshold"] == 0.2);
  const LayerPtr norm = layer_from("Normalization", {{"axis", {-1}},
                                                     {"invert", false},
                                                     {"mean", {0.5, -1.0}},
                                                     {"variance", {1.0, 4.0}},
                                                     {"batch_input_shape", {nullptr, nullptr}}});
  const Tensor y = (*norm)(Tensor({1.5f, 3.f}, {1, 2}));
  CHECK(y.to_vector<float>() == std::vector<float>{1.f, 2.f});
  CHECK(layer_from("AlphaDropout", {{"rate", 0.2}, {"seed", nullptr}, {"noise_shape", nullptr}})
            ->get_config()["seed"]
            .is_number_integer());
  CHECK(layer_from("PReLU", {{"shared_axes", 1}})->get_config()["shared_axes"] == json{1});
  CHECK(layer_from("Softmax", {{"axis", {1, 2}}})->get_config()["axis"] == json{1, 2});
  CHECK(layer_from("Concatenate", {{"axis", 1}, {"dtype", policy}})->get_config()["axis"] == 1);
}

TEST_CASE("bad shapes and arguments of the new layers are clear errors naming the layer") {
  Tensor a = Input({3}, "a"), b = Input({4}, "b"), c = Input({3}, "c");
  CHECK_THROWS_WITH_AS(Add("sum")({a, b}),
                       doctest::Contains("Add 'sum' cannot merge inputs of shapes (None, 3), "
                                         "(None, 4)"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(Concatenate(0, "cat")({Input({2, 3}), Input({4, 3})}),
                       doctest::Contains("Concatenate 'cat' cannot merge"), ShapeError);
  CHECK_THROWS_WITH_AS(Subtract("minus")({a, c, a}),
                       doctest::Contains("layer 'minus' (Subtract) takes 2 inputs, got 3"),
                       ValueError);
  CHECK_THROWS_WITH_AS(Subtract("minus2")(TensorList{Tensor::ones({1, 3}), Tensor::ones({1, 3}),
                                                     Tensor::ones({1, 3})}),
                       doctest::Contains("Subtract 'minus2' takes exactly 2 inputs"), ValueError);
  CHECK_THROWS_WITH_AS(
      Reshape({4, 4}, "square")(Input({6})),
      doctest::Contains("Reshape 'square' cannot reshape samples of shape (6,) (6 elements) to "
                        "target_shape (4, 4)"),
      ShapeError);
  CHECK_THROWS_WITH_AS(Permute({1, 3}), doctest::Contains("must be a permutation of 1..2"),
                       ValueError);
  CHECK_THROWS_WITH_AS(model_from_json(R"({"class_name": "Sequential", "config": {"layers": [
      {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 2, 3]}},
      {"class_name": "Permute", "config": {"name": "p", "dims": [2, 2]}}]}})"),
                       doctest::Contains("layer 1 of the model config"), ValueError);
  CHECK_THROWS_WITH_AS(Permute({2, 1}, "swap")(Input({4})),
                       doctest::Contains("Permute 'swap' permutes 2 axes"), ShapeError);
  Normalization norm(NormalizationOptions(), "norm");
  norm.adapt(Tensor::ones({8, 4}));
  CHECK_THROWS_WITH_AS(norm.adapt(Tensor::ones({8, 5})),
                       doctest::Contains("Normalization 'norm' is built for inputs of shape "
                                         "(None, 4); adapt() got data of shape (8, 5)"),
                       ShapeError);
  Normalization given(NormalizationOptions().mean(Tensor({1.f})).variance(Tensor({1.f})), "g");
  CHECK_THROWS_WITH_AS(given.adapt(Tensor::ones({8, 4})), doctest::Contains("'g' was given"),
                       StateError);
  CHECK_THROWS_AS(Normalization(NormalizationOptions().mean(Tensor({1.f}))), ValueError);
  CHECK_THROWS_WITH_AS(PReLU(PReLUOptions().shared_axes({3}), "p")(Input({4})),
                       doctest::Contains("PReLU 'p': shared axis 3"), ShapeError);
  CHECK_THROWS_WITH_AS(layer_from("ReLU", {{"negative_slop", 0.1}}),
                       doctest::Contains("did you mean 'negative_slope'"), ValueError);
  CHECK_THROWS_WITH_AS(layer_from("AlphaDropout", {{"rate", 0.2}, {"noise_shape", {1, 3}}}),
                       doctest::Contains("noise_shape"), UnimplementedError);
  CHECK_THROWS_AS(GaussianDropout(1.0), ValueError);
  CHECK_THROWS_AS(RepeatVector(0), ValueError);
  CHECK_THROWS_WITH_AS(RepeatVector(2, "rep")(Input({2, 3})),
                       doctest::Contains("RepeatVector 'rep' takes inputs of shape (batch, "
                                         "features)"),
                       ShapeError);
}
