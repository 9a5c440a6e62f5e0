// Bad input to the Keras API: a clear error naming what was wrong, never a crash.
#include <doctest/doctest.h>

#include "keras_test_data.h"

using namespace nabla;
using namespace nabla::testing;

namespace {
Sequential compiled_classifier() {
  Sequential m({Input({2}), Dense(4, "relu"), Dense(3, "softmax")});
  m.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
  return m;
}
}  // namespace

TEST_CASE("fit rejects data that does not fit the model") {
  Sequential m = compiled_classifier();
  const Tensor x = Tensor::zeros({10, 2});
  const Tensor y = Tensor::zeros({10});
  const FitOptions quiet = FitOptions().verbose(0);
  CHECK_THROWS_WITH_AS(m.fit(x, Tensor::zeros({9}), quiet),
                       doctest::Contains("x has 10 rows but y has 9"), ValueError);
  CHECK_THROWS_WITH_AS(m.fit(Tensor::zeros({10, 3}), y, quiet),
                       doctest::Contains("expects x of shape (None, 2), got (10, 3)"), ShapeError);
  CHECK_THROWS_WITH_AS(m.fit(x, Tensor::full({10}, 3), quiet),
                       doctest::Contains("label 3 at row 0 is outside [0, 3)"), ValueError);
  CHECK_THROWS_WITH_AS(m.fit(x, Tensor::full({10}, -1), quiet), doctest::Contains("outside [0, 3)"),
                       ValueError);
  CHECK_THROWS_WITH_AS(m.fit(x, Tensor::full({10}, 0.5), quiet),
                       doctest::Contains("not a class index"), ValueError);
  CHECK_THROWS_WITH_AS(m.fit(Tensor::zeros({0, 2}), Tensor::zeros({0}), quiet),
                       doctest::Contains("the dataset is empty"), ValueError);
  CHECK_THROWS_WITH_AS(m.fit(x, y, FitOptions().batch_size(0).verbose(0)),
                       doctest::Contains("batch_size must be positive, got 0"), ValueError);
  CHECK_THROWS_WITH_AS(m.fit(x, y, FitOptions().batch_size(-4).verbose(0)),
                       doctest::Contains("batch_size"), ValueError);
  CHECK_THROWS_WITH_AS(m.fit(x, y, FitOptions().validation_split(1.0).verbose(0)),
                       doctest::Contains("validation_split must be in [0, 1)"), ValueError);
  CHECK_THROWS_WITH_AS(m.fit(x, y, FitOptions().validation_split(-0.1).verbose(0)),
                       doctest::Contains("validation_split"), ValueError);
  CHECK_THROWS_AS(m.evaluate(x, Tensor::zeros({10, 3}), EvaluateOptions().verbose(0)), ShapeError);
  CHECK_THROWS_WITH_AS(m.predict(Tensor::zeros({5, 4})),
                       doctest::Contains("expects x of shape (None, 2)"), ShapeError);
}

TEST_CASE("fit, evaluate and predict before compile are clear errors") {
  Sequential m({Input({2}), Dense(1)});
  CHECK_THROWS_WITH_AS(m.fit(Tensor::zeros({4, 2}), Tensor::zeros({4, 1}), FitOptions().verbose(0)),
                       doctest::Contains("is not compiled"), StateError);
  CHECK_THROWS_WITH_AS(m.evaluate(Tensor::zeros({4, 2}), Tensor::zeros({4, 1})),
                       doctest::Contains("compile"), StateError);
  CHECK(m.predict(Tensor::zeros({3, 2})).shape() ==
        Shape{3, 1});  // Keras predicts uncompiled models
}

TEST_CASE("unknown names suggest the nearest valid name") {
  CHECK_THROWS_WITH_AS(get_loss("sparse_categorical_crosentropy"),
                       doctest::Contains("did you mean 'sparse_categorical_crossentropy'"),
                       NotFoundError);
  CHECK_THROWS_WITH_AS(get_optimizer("adamm"), doctest::Contains("did you mean"), NotFoundError);
  CHECK_THROWS_WITH_AS(Dense(3, "reluu"), doctest::Contains("did you mean 'relu'"), NotFoundError);
  CHECK_THROWS_WITH_AS(get_metric("acuracy"), doctest::Contains("did you mean 'accuracy'"),
                       NotFoundError);
  CHECK_THROWS_WITH_AS(Initializer("glorot_unifrom"),
                       doctest::Contains("did you mean 'glorot_uniform'"), NotFoundError);
  Sequential m({Input({2}), Dense(1)});
  CHECK_THROWS_WITH_AS(m.compile("adam", "mse", {"mae", "acurracy"}),
                       doctest::Contains("did you mean"), NotFoundError);
}

TEST_CASE("bad layer arguments and configs are clear errors") {
  CHECK_THROWS_WITH_AS(Dense(0), doctest::Contains("positive number of units"), ValueError);
  CHECK_THROWS_WITH_AS(Dropout(1.5), doctest::Contains("rate must be in [0, 1)"), ValueError);
  CHECK_THROWS_WITH_AS(model_from_json(R"({"class_name": "Sequential", "config": {"layers": [
      {"class_name": "Conv2D", "config": {}}]}})"),
                       doctest::Contains("unknown layer class 'Conv2D'"), NotFoundError);
  CHECK_THROWS_WITH_AS(model_from_json(R"({"class_name": "Sequential", "config": {"layers": [
      {"class_name": "Dense", "config": {"units": 3, "activatoin": "relu"}}]}})"),
                       doctest::Contains("unknown key 'activatoin' (did you mean 'activation'?)"),
                       ValueError);
  CHECK_THROWS_WITH_AS(model_from_json(R"({"class_name": "Functional", "config": {}})"),
                       doctest::Contains("needs a \"layers\" list"), ValueError);
  CHECK_THROWS_WITH_AS(model_from_json(R"({"class_name": "MyModel", "config": {}})"),
                       doctest::Contains("nabla loads Sequential and functional models"),
                       UnimplementedError);
  CHECK_THROWS_WITH_AS(model_from_json("{not json"), doctest::Contains("does not parse"),
                       ValueError);
  Sequential m({Input({2}), Dense(3)});
  CHECK_THROWS_AS(m.set_weights({Tensor::zeros({2, 3})}), ValueError);
  CHECK_THROWS_WITH_AS(m.set_weights({Tensor::zeros({3, 3}), Tensor::zeros({3})}),
                       doctest::Contains("weight 'dense"), ShapeError);
}

TEST_CASE("models round-trip through Keras JSON") {
  reset_layer_names();
  Sequential m(
      {Input({4}), Dense(8, "relu"), Dropout(0.1), BatchNormalization(), Dense(2, "softmax")});
  const std::string json = m.to_json();
  Sequential back = model_from_json(json);
  CHECK(back.to_json() == json);
  CHECK(back.count_params() == m.count_params());
  CHECK(back.output_shape() == Shape{-1, 2});
  // Keras 2.2's list form with batch_input_shape on the first Dense.
  Sequential old = model_from_json(R"({"class_name": "Sequential", "config": [
      {"class_name": "Dense", "config": {"name": "d1", "units": 5, "activation": "relu",
                                         "batch_input_shape": [null, 3]}},
      {"class_name": "Dense", "config": {"name": "d2", "units": 1}}]})");
  CHECK(old.input_shape() == Shape{-1, 3});
  CHECK(old.output_shape() == Shape{-1, 1});
}

TEST_CASE("a built layer rejects inputs of another feature size") {
  Dense d(3);
  d(Tensor::zeros({2, 4}));
  CHECK_THROWS_WITH_AS(d(Tensor::zeros({2, 5})),
                       doctest::Contains("was built for inputs of shape (None, 4), got (2, 5)"),
                       ShapeError);
  CHECK(d(Tensor::zeros({7, 4})).shape() == Shape{7, 3});
}
