// Losses: values against references (checked against Keras 3), eager and graph mode, gradients
// against finite differences, numerical stability, the Softmax/Sigmoid-node path, the registry.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "loss_cases.h"
#include "losses/binary_crossentropy.h"
#include "losses/categorical_crossentropy.h"
#include "losses/huber.h"
#include "losses/mean_squared_error.h"
#include "losses/sparse_categorical_crossentropy.h"

using namespace nabla;
using namespace nabla::testing;

namespace {

/// loss(y_true, y_pred, w) in a graph fed through placeholders of unknown batch size.
double graph_value(const LossCase& c, bool weighted) {
  Graph g;
  auto scope = g.as_default();
  Tensor t = placeholder(c.y_true.dtype(), run_time_batch(c.y_true), "y_true");
  Tensor p = placeholder(c.y_pred.dtype(), run_time_batch(c.y_pred), "y_pred");
  Tensor w = placeholder(c.sample_weight.dtype(), {-1}, "w");
  FeedDict feeds = {{t, c.y_true}, {p, c.y_pred}};
  if (weighted) feeds.emplace_back(w, c.sample_weight);
  const Tensor loss = (*c.loss)(t, p, weighted ? w : Tensor());
  return Session(g).run(loss, feeds).item<double>();
}

/// d loss / d y_pred by central differences (float64 inputs).
Tensor finite_difference(const LossCase& c) {
  const double h = 1e-6;
  Tensor grad = Tensor::zeros(c.y_pred.shape(), DType::Float64);
  for (int64_t j = 0; j < c.y_pred.numel(); ++j) {
    Tensor plus = c.y_pred.clone(), minus = c.y_pred.clone();
    plus.data<double>()[j] += h;
    minus.data<double>()[j] -= h;
    const double fp = (*c.loss)(c.y_true, plus, c.sample_weight).item<double>();
    const double fm = (*c.loss)(c.y_true, minus, c.sample_weight).item<double>();
    grad.data<double>()[j] = (fp - fm) / (2 * h);
  }
  return grad;
}

}  // namespace

TEST_CASE("every loss matches its reference value, eager and in a graph, weighted or not") {
  for (const LossCase& c : loss_cases(DType::Float32)) {
    CAPTURE(c.label);
    const double eager = (*c.loss)(c.y_true, c.y_pred).item<double>();
    const double weighted = (*c.loss)(c.y_true, c.y_pred, c.sample_weight).item<double>();
    CHECK(eager == doctest::Approx(c.expected).epsilon(1e-5));
    CHECK(weighted == doctest::Approx(c.expected_weighted).epsilon(1e-5));
    CHECK(graph_value(c, false) == doctest::Approx(eager).epsilon(1e-6));
    CHECK(graph_value(c, true) == doctest::Approx(weighted).epsilon(1e-6));
  }
}

TEST_CASE("every loss's gradient w.r.t. y_pred matches finite differences") {
  for (LossCase c : loss_cases(DType::Float64)) {
    CAPTURE(c.label);
    // Off the kinks of mae, huber and hinge, inside the clipping range of probabilities.
    c.y_pred = c.y_pred + 0.013;
    GradientTape tape;
    tape.watch(c.y_pred);
    const Tensor loss = (*c.loss)(c.y_true, c.y_pred, c.sample_weight);
    const Tensor grad = tape.gradient(loss, c.y_pred);
    REQUIRE(grad.defined());
    CHECK(max_abs_rel_diff(grad, finite_difference(c)) < 1e-6);
  }
}

TEST_CASE("losses are finite, with finite gradients, for saturated logits and probabilities") {
  const Tensor logits = matrix({{1000, -1000, 0.5}, {-1000, 1000, 3}}, DType::Float64);
  const Tensor probs = matrix({{1, 0, 0}, {0, 0, 1}}, DType::Float64);
  const Tensor onehot = matrix({{0, 1, 0}, {1, 0, 0}}, DType::Float64);
  const Tensor labels = vector({1, 0}, DType::Int64);
  const auto logit_options = CrossentropyOptions().from_logits(true);
  const auto sparse_logits = SparseCategoricalCrossentropyOptions().from_logits(true);
  struct Case {
    LossPtr loss;
    Tensor y_true, y_pred;
    double expected;
  };
  const double clipped = -std::log(1e-7);  // log of the clipped 0 (1e-7 as a float64)
  const std::vector<Case> cases = {
      {std::make_shared<CategoricalCrossentropy>(logit_options), onehot, logits, 2000.0},
      {std::make_shared<SparseCategoricalCrossentropy>(sparse_logits), labels, logits, 2000.0},
      {std::make_shared<BinaryCrossentropy>(logit_options), onehot, logits,
       (4000 + std::log1p(std::exp(0.5)) + std::log1p(std::exp(3.0))) / 6},
      {get_loss("categorical_crossentropy"), onehot, probs, clipped},
      {get_loss("sparse_categorical_crossentropy"), labels, probs, clipped},
      {get_loss("binary_crossentropy"), onehot, probs, 2 * clipped / 3},
      {get_loss("kl_divergence"), probs, onehot, clipped},
  };
  for (const Case& c : cases) {
    CAPTURE(c.loss->name());
    GradientTape tape;
    tape.watch(c.y_pred);
    const Tensor loss = (*c.loss)(c.y_true, c.y_pred);
    const Tensor grad = tape.gradient(loss, c.y_pred);
    CHECK(std::isfinite(loss.item<double>()));
    CHECK(loss.item<double>() == doctest::Approx(c.expected).epsilon(1e-6));
    REQUIRE(grad.defined());
    for (int64_t i = 0; i < grad.numel(); ++i) CHECK(std::isfinite(grad.at(i)));
  }
}

TEST_CASE("a Softmax or Sigmoid output is read through to its logits, as tf.keras does") {
  Graph g;
  auto scope = g.as_default();
  const Tensor logits = placeholder(DType::Float32, {-1, 3}, "logits");
  const Tensor onehot = placeholder(DType::Float32, {-1, 3}, "onehot");
  const Tensor labels = placeholder(DType::Int32, {-1}, "labels");
  const auto from_logits = CrossentropyOptions().from_logits(true);
  const auto sparse_from_logits = SparseCategoricalCrossentropyOptions().from_logits(true);
  const TensorList pairs = {
      get_loss("categorical_crossentropy")->operator()(onehot, softmax(logits)),
      CategoricalCrossentropy(from_logits)(onehot, logits),
      get_loss("sparse_categorical_crossentropy")->operator()(labels, softmax(logits)),
      SparseCategoricalCrossentropy(sparse_from_logits)(labels, logits),
      get_loss("binary_crossentropy")->operator()(onehot, sigmoid(logits)),
      BinaryCrossentropy(from_logits)(onehot, logits),
  };
  // Saturated logits: clipping would give about 16.1 per row; the logits give the true values.
  const FeedDict feeds = {
      {logits, matrix({{800, -800, 0.25}, {0.5, -1, 2}})},
      {onehot, matrix({{0, 1, 0}, {0, 0, 1}})},
      {labels, Tensor::from_vector<int32_t>({1, 2}, {2})},
  };
  TensorList fetches = pairs;
  for (const Tensor& loss : pairs) fetches.push_back(gradients(loss, {logits})[0]);
  const TensorList values = Session(g).run(fetches, feeds);
  for (size_t i = 0; i < pairs.size(); i += 2) {
    CAPTURE(i);
    CHECK(values[i].item<double>() == doctest::Approx(values[i + 1].item<double>()).epsilon(1e-6));
    CHECK(max_abs_rel_diff(values[pairs.size() + i], values[pairs.size() + i + 1]) < 1e-6);
  }
  CHECK(values[0].item<double>() > 700);  // (1600 + 0.24) / 2, not a clipped 16
}

TEST_CASE("the loss is the sum over the batch divided by the run-time batch size") {
  Graph g;
  auto scope = g.as_default();
  const Tensor t = placeholder(DType::Float32, {-1, 1}, "t");
  const Tensor p = placeholder(DType::Float32, {-1, 1}, "p");
  const Tensor w = placeholder(DType::Float32, {-1}, "w");
  const Tensor loss = (*get_loss("mse"))(t, p, w);
  Session sess(g);
  // Weights do not change the divisor: (1 * 4 + 3 * 1) / 2, then (2 * 9) / 1.
  CHECK(sess.run(loss, {{t, matrix({{0}, {1}})}, {p, matrix({{2}, {2}})}, {w, vector({1, 3})}})
            .item<float>() == doctest::Approx(3.5));
  CHECK(sess.run(loss, {{t, matrix({{0}})}, {p, matrix({{3}})}, {w, vector({2})}}).item<float>() ==
        doctest::Approx(18.0));
  // Labels [N] against predictions [N, 1] are expanded, as in Keras.
  CHECK((*get_loss("mae"))(vector({1, 2}), matrix({{2}, {4}})).item<float>() == 1.5f);
}

TEST_CASE("sparse labels: int32, int64, float, [N] or [N, 1]; out of range is a ValueError") {
  const Tensor logits = matrix({{1.0, -0.5, 2.0, 0.1}, {0.3, 0.3, -1.0, 1.2}});
  const LossPtr loss = loss_from_config(
      {{"class_name", "SparseCategoricalCrossentropy"}, {"config", {{"from_logits", true}}}});
  CHECK(loss->label_kind() == LabelKind::Sparse);
  CHECK(get_loss("mse")->label_kind() == LabelKind::Dense);
  const float reference = (*loss)(vector({2, 0}, DType::Int64), logits).item<float>();
  CHECK(reference == doctest::Approx((0.469711748539 + 1.554376454626) / 2).epsilon(1e-5));
  for (const Tensor& labels : {vector({2, 0}, DType::Int32), vector({2, 0}),
                               matrix({{2}, {0}}, DType::Int64), matrix({{2}, {0}})})
    CHECK((*loss)(labels, logits).item<float>() == reference);
  // Sequences [N, T, C] against labels [N, T]: one loss per step.
  const Tensor steps = (*loss)(reshape(vector({2, 0}), {1, 2}), reshape(logits, {1, 2, 4}));
  CHECK(steps.item<float>() == doctest::Approx(reference));
  CHECK_THROWS_AS((*loss)(vector({4, 0}, DType::Int64), logits), ValueError);
  CHECK_THROWS_WITH_AS((*get_loss("categorical_crossentropy"))(vector({2, 3}), logits),
                       doctest::Contains("do not match predictions"), ShapeError);
}

TEST_CASE("losses by Keras name, alias or class name; configs round-trip") {
  for (const auto& [name, class_name] : std::vector<std::pair<std::string, std::string>>{
           {"mse", "MeanSquaredError"},
           {"MAE", "MeanAbsoluteError"},
           {"mape", "MeanAbsolutePercentageError"},
           {"huber", "Huber"},
           {"logcosh", "LogCosh"},
           {"bce", "BinaryCrossentropy"},
           {"CategoricalCrossentropy", "CategoricalCrossentropy"},
           {"sparse_categorical_crossentropy", "SparseCategoricalCrossentropy"},
           {"kld", "KLDivergence"},
           {"hinge", "Hinge"}}) {
    const std::string& alias = name;  // clang 14's CAPTURE (a lambda) cannot name a binding
    CAPTURE(alias);
    const LossPtr loss = get_loss(name);
    CHECK(loss->class_name() == class_name);
    const nlohmann::json config = loss->get_config();
    CHECK(config["reduction"] == "sum_over_batch_size");
    const LossPtr again = loss_from_config({{"class_name", class_name}, {"config", config}});
    CHECK(again->get_config() == config);
    CHECK(get_loss(loss->name())->class_name() == class_name);
  }
  CHECK(get_loss("mse")->name() == "mean_squared_error");
  CHECK(get_loss("huber")->name() == "huber_loss");
  const nlohmann::json bce =
      BinaryCrossentropy(CrossentropyOptions().from_logits(true).label_smoothing(0.1), "bce")
          .get_config();
  CHECK(bce == nlohmann::json{{"name", "bce"},
                              {"reduction", "sum_over_batch_size"},
                              {"from_logits", true},
                              {"label_smoothing", 0.1},
                              {"axis", -1}});
  const LossPtr huber = loss_from_config({{"class_name", "Huber"}, {"config", {{"delta", 0.5}}}});
  CHECK(std::dynamic_pointer_cast<Huber>(huber)->options().delta() == 0.5);
  CHECK(huber->get_config()["delta"] == 0.5);
  CHECK(loss_from_config("mae")->class_name() == "MeanAbsoluteError");
  CHECK(
      loss_from_config({{"module", "keras.losses"}, {"class_name", "function"}, {"config", "mse"}})
          ->class_name() == "MeanSquaredError");
  CHECK_THROWS_AS(loss_from_config({{"class_name", "Huber"}, {"config", {{"reduction", "sum"}}}}),
                  UnimplementedError);
}

TEST_CASE("unknown losses suggest the nearest name; users may register their own") {
  CHECK_THROWS_WITH_AS(get_loss("categorical_crossentopy"),
                       doctest::Contains("did you mean 'categorical_crossentropy'"), NotFoundError);
  CHECK_THROWS_WITH_AS(loss_from_config({{"class_name", "MeanSquaredErorr"}, {"config", {}}}),
                       doctest::Contains("did you mean 'MeanSquaredError'"), NotFoundError);
  register_loss({"my_mse"}, [](const nlohmann::json&) -> LossPtr {
    return std::make_shared<MeanSquaredError>("my_mse");
  });
  CHECK(get_loss("my_mse")->name() == "my_mse");
  const auto names = loss_names();
  CHECK(std::find(names.begin(), names.end(), "my_mse") != names.end());
  CHECK(std::find(names.begin(), names.end(), "kl_divergence") != names.end());
}
