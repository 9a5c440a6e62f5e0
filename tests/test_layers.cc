// What the layers of Dense-family Keras files compute: values against formulas written here,
// the noise layers' training-only noise drawn from the training step, the activity penalty,
// Normalization's adapt(), and the merge layers' values.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "framework/nabla.h"
#include "keras_test_data.h"

using namespace nabla;
using nabla::testing::max_abs_diff;
namespace fs = std::filesystem;

namespace {

Tensor train_call(Layer& layer, const Tensor& x, int64_t step) {
  CallContext ctx;
  ctx.training = true;
  ctx.step = Tensor::scalar(static_cast<double>(step), DType::Int64);
  return layer(x, ctx);
}

// Mean and variance of all elements.
std::pair<double, double> moments(const Tensor& t) {
  const auto v = t.to_vector<double>();
  double m = 0, s = 0;
  for (double e : v) m += e;
  m /= static_cast<double>(v.size());
  for (double e : v) s += (e - m) * (e - m);
  return {m, s / static_cast<double>(v.size())};
}

}  // namespace

TEST_CASE("the activation layers compute Keras's formulas") {
  const Tensor x({-2.f, -0.5f, 0.1f, 0.3f, 1.f, 2.f});
  const auto xs = x.to_vector<double>();
  const Tensor relu = ReLU(ReLUOptions().max_value(1.5).negative_slope(0.1).threshold(0.2))(x);
  const Tensor elu = ELU(0.7)(x);
  for (size_t i = 0; i < xs.size(); ++i) {
    const double v = xs[i];
    CHECK(relu.at(i) == doctest::Approx(v > 0.2 ? std::min(v, 1.5) : 0.1 * (v - 0.2)));
    CHECK(elu.at(i) == doctest::Approx(v > 0 ? v : 0.7 * std::expm1(v)));
  }
  PReLU prelu(PReLUOptions().shared_axes({1}));
  prelu.ensure_built(Shape{-1, 2, 3});
  CHECK(prelu.alpha().shape() == Shape{1, 3});
  prelu.set_weights({Tensor({0.1f, 0.2f, 0.3f}, {1, 3})});
  const Tensor p = prelu(Tensor({-1.f, -1.f, -1.f, 2.f, -2.f, 1.f}, {1, 2, 3}));
  CHECK(p.to_vector<float>() == std::vector<float>{-0.1f, -0.2f, -0.3f, 2.f, -0.4f, 1.f});
  const Tensor s = Softmax(1)(Tensor::random_normal({2, 3, 4}, 0, 1, 3));
  const Tensor sums = reduce_sum(s, {1});
  for (int64_t i = 0; i < sums.numel(); ++i) CHECK(sums.at(i) == doctest::Approx(1.0));
  const Tensor u = UnitNormalization()(Tensor({3.f, 4.f, 0.f, 0.f}, {2, 2}));
  CHECK(u.to_vector<float>() == std::vector<float>{0.6f, 0.8f, 0.f, 0.f});  // zeros stay zeros
  CHECK(Rescaling(0.25, -0.5)(Tensor({2.f, 4.f})).to_vector<float>() ==
        std::vector<float>{0.f, 0.5f});
}

TEST_CASE("the reshaping layers move elements as Keras does") {
  const Tensor x = Tensor::from_vector<float>({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, {2, 6});
  CHECK(Reshape({-1, 2})(x).shape() == Shape{2, 3, 2});
  CHECK(Reshape({-1, 2}).compute_output_shape({-1, 6}) == Shape{-1, 3, 2});
  const Tensor p = Permute({2, 1})(Reshape({2, 3})(x));
  CHECK(p.shape() == Shape{2, 3, 2});
  CHECK(p.to_vector<float>() ==
        std::vector<float>{0, 3, 1, 4, 2, 5, 6, 9, 7, 10, 8, 11});  // sample 0: [[0,3],[1,4],[2,5]]
  const Tensor r = RepeatVector(2)(Tensor({1.f, 2.f, 3.f, 4.f}, {2, 2}));
  CHECK(r.to_vector<float>() == std::vector<float>{1, 2, 1, 2, 3, 4, 3, 4});
}

TEST_CASE("the merge layers combine their inputs element-wise, or concatenate them") {
  const Tensor a({1.f, 5.f, -2.f}, {1, 3}), b({4.f, 2.f, -3.f}, {1, 3}), c({1.f, 2.f, 8.f}, {1, 3});
  CHECK(Add()(TensorList{a, b, c}).to_vector<float>() == std::vector<float>{6, 9, 3});
  CHECK(Subtract()(TensorList{a, b}).to_vector<float>() == std::vector<float>{-3, 3, 1});
  CHECK(Multiply()(TensorList{a, b}).to_vector<float>() == std::vector<float>{4, 10, 6});
  CHECK(Average()(TensorList{a, b, c}).to_vector<float>() == std::vector<float>{2, 3, 1});
  CHECK(Maximum()(TensorList{a, b, c}).to_vector<float>() == std::vector<float>{4, 5, 8});
  CHECK(Minimum()(TensorList{a, b, c}).to_vector<float>() == std::vector<float>{1, 2, -3});
  CHECK(Concatenate()(TensorList{a, b}).shape() == Shape{1, 6});
  // An input of lower rank gains axes after the batch (Keras's rule), then broadcasts.
  const Tensor rows = Tensor::ones({1, 2, 3});
  CHECK(Add()(TensorList{rows, a}).to_vector<float>() == std::vector<float>{2, 6, -1, 2, 6, -1});
  CHECK(Add().compute_output_shapes({{-1, 2, 3}, {-1, 3}})[0] == Shape{-1, 2, 3});
  CHECK(Concatenate(1).compute_output_shapes({{-1, 2, 3}, {-1, 4, 3}})[0] == Shape{-1, 6, 3});
}

TEST_CASE("noise layers pass inputs through at inference and draw noise from the step") {
  const Tensor x = Tensor::random_normal({400, 50}, 0, 1, 1);
  GaussianNoise noise(0.3, 5);
  GaussianDropout gdrop(0.25, 6);
  AlphaDropout adrop(0.2, 7);
  for (Layer* l : std::vector<Layer*>{&noise, &gdrop, &adrop}) {
    CAPTURE(l->class_name());
    CHECK(max_abs_diff((*l)(x), x) == 0.0);
    const Tensor s7 = train_call(*l, x, 7);
    CHECK(max_abs_diff(train_call(*l, x, 7), s7) == 0.0);  // the step decides the noise
    CHECK(max_abs_diff(train_call(*l, x, 8), s7) > 0.1);
    // From its config (the seed in use is in it), the layer draws the same noise.
    const LayerPtr copy = LayerRegistry::global().from_config(
        {{"class_name", l->class_name()}, {"config", l->get_config()}});
    CHECK(max_abs_diff(train_call(*copy, x, 7), s7) == 0.0);
  }
  const auto [noise_mean, noise_var] = moments(train_call(noise, x, 3) - x);
  CHECK(std::abs(noise_mean) < 0.01);
  CHECK(std::sqrt(noise_var) == doctest::Approx(0.3).epsilon(0.02));
  const Tensor ones = Tensor::ones({400, 50});
  const auto [g_mean, g_var] = moments(train_call(gdrop, ones, 3));
  CHECK(g_mean == doctest::Approx(1.0).epsilon(0.01));
  CHECK(g_var == doctest::Approx(0.25 / 0.75).epsilon(0.03));
  // AlphaDropout keeps a standard normal input's mean and variance, dropping a fifth.
  const Tensor y = train_call(adrop, x, 3);
  const auto [a_mean, a_var] = moments(y);
  CHECK(std::abs(a_mean) < 0.02);
  CHECK(a_var == doctest::Approx(1.0).epsilon(0.03));
  const double alpha_p = -1.6732632423543772 * 1.0507009873554805;
  const double a = 1.0 / std::sqrt(0.8 * (1 + 0.2 * alpha_p * alpha_p)), b = -a * alpha_p * 0.2;
  int dropped = 0;
  for (double v : y.to_vector<double>()) dropped += std::abs(v - (a * alpha_p + b)) < 1e-5;
  CHECK(dropped / 20000.0 == doctest::Approx(0.2).epsilon(0.05));
}

TEST_CASE("training with noise layers resumed from a file draws the noise it would have drawn") {
  const fs::path file = fs::temp_directory_path() / "nabla_noise_layers.h5";
  const Tensor x = Tensor::random_normal({32, 4}, 0, 1, 2),
               y = Tensor::random_normal({32, 1}, 0, 1, 3);
  auto make = [] {
    set_seed(9);
    Sequential m({Input({4}), Dense(8, "selu"), GaussianNoise(0.2), AlphaDropout(0.1),
                  Dense(8, "relu"), GaussianDropout(0.2), Dense(1)});
    m.compile(Adam(1e-2), "mse");
    return m;
  };
  const FitOptions one = FitOptions().epochs(1).batch_size(8).shuffle(false).verbose(0);
  Model straight = make();
  straight.fit(x, y, FitOptions().epochs(2).batch_size(8).shuffle(false).verbose(0));
  Model first = make();
  first.fit(x, y, one);
  first.save(file.string());
  Model resumed = load_model(file.string());
  resumed.fit(x, y, one);
  CHECK(max_abs_diff(resumed.predict(x), straight.predict(x)) < 1e-6);
  fs::remove(file);
}

TEST_CASE("ActivityRegularization adds its penalty to the training loss only") {
  Tensor inputs = Input({3}, "x");
  Dense dense(2, "linear", "d");
  Tensor h = dense(inputs);
  Model model(inputs, ActivityRegularization(0.5, 0.25, "act")(h));
  model.compile(SGD(0.0), "mse");
  const Tensor x = Tensor::random_normal({4, 3}, 0, 1, 4), y = Tensor::zeros({4, 2});
  const Tensor p = model.predict(x);
  double l1 = 0, l2 = 0;
  for (double v : p.to_vector<double>()) l1 += std::abs(v), l2 += v * v;
  const double mse = l2 / 8, penalty = (0.5 * l1 + 0.25 * l2) / 4;  // per batch row
  CHECK(model.train_on_batch(x, y).at("loss") == doctest::Approx(mse + penalty).epsilon(1e-5));
  CHECK(model.test_on_batch(x, y).at("loss") == doctest::Approx(mse).epsilon(1e-5));
}
