// Every layer added for Dense-family Keras files, against central finite differences in float64:
// the gradients of its output (and of the loss terms it adds) with respect to its inputs and its
// trainable weights, under a GradientTape and in graph mode through placeholders with a -1 batch.
// The noise layers run in training mode with a fixed step, which fixes their noise.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>

#include "op_cases.h"

using namespace nabla;
using namespace nabla::testing;

namespace {

struct LayerCase {
  std::string name;
  std::function<LayerPtr()> make;
  std::vector<Shape> inputs;
  bool training = false;
  /// Kinks of the function (relu's 0, a threshold): inputs this close to one are moved away.
  std::vector<double> kinks = {0.0};
};

std::vector<LayerCase> layer_cases() {
  auto L = [](auto layer) -> std::function<LayerPtr()> {
    return [layer] { return std::make_shared<decltype(layer)>(layer); };
  };
  ReLUOptions capped;
  capped.max_value(1.5).negative_slope(0.1).threshold(0.2);
  NormalizationOptions given;
  given.mean(Tensor({0.5f, -1.f, 2.f})).variance(Tensor({1.f, 4.f, 0.25f}));
  NormalizationOptions inverted = given;
  inverted.invert(true);
  return {
      {"UnitNormalization", L(UnitNormalization()), {{3, 4}}},
      {"UnitNormalization_axes", L(UnitNormalization(std::vector<int64_t>{1, 2})), {{2, 3, 4}}},
      {"Normalization_adapted",
       [] {
         auto n = std::make_shared<Normalization>();
         n->adapt(Tensor::random_normal({20, 4}, 1, 2, 5));
         return n;
       },
       {{3, 4}}},
      {"Normalization_axis1",
       [] {
         auto n = std::make_shared<Normalization>(NormalizationOptions().axis({1}));
         n->adapt(Tensor::random_normal({6, 3, 2}, 1, 2, 6));
         return n;
       },
       {{2, 3, 2}}},
      {"Normalization_given", L(Normalization(given)), {{4, 3}}},
      {"Normalization_invert", L(Normalization(inverted)), {{4, 3}}},
      {"Rescaling", L(Rescaling(0.25, -0.5)), {{3, 4}}},
      {"Rescaling_channels", L(Rescaling({0.5, 2.0, -1.0}, {0.0, 1.0, 2.0})), {{2, 3}}},
      {"Reshape", L(Reshape({2, 3})), {{3, 6}}},
      {"Reshape_infer", L(Reshape({-1, 2})), {{3, 6}}},
      {"Permute", L(Permute({2, 1})), {{3, 2, 4}}},
      {"RepeatVector", L(RepeatVector(3)), {{2, 4}}},
      {"ReLU", L(ReLU()), {{3, 4}}},
      {"ReLU_capped", L(ReLU(capped)), {{4, 5}}, false, {0.2, 1.5}},
      {"PReLU",
       [] {
         auto p = std::make_shared<PReLU>();
         p->ensure_built(Shape{-1, 4});
         p->set_weights({Tensor::random_uniform({4}, -1, 1, 8)});
         return p;
       },
       {{3, 4}}},
      {"PReLU_shared_axes",
       [] {
         auto p = std::make_shared<PReLU>(PReLUOptions().shared_axes({1}));
         p->ensure_built(Shape{-1, 2, 3});
         p->set_weights({Tensor::random_uniform({1, 3}, -1, 1, 9)});
         return p;
       },
       {{4, 2, 3}}},
      {"ELU", L(ELU(0.7)), {{3, 4}}},
      {"Softmax", L(Softmax()), {{3, 4}}},
      {"Softmax_axis1", L(Softmax(1)), {{2, 3, 4}}},
      {"Softmax_axes", L(Softmax(std::vector<int64_t>{1, 2})), {{2, 3, 2}}},
      {"GaussianNoise", L(GaussianNoise(0.3, 11)), {{3, 4}}, true},
      {"GaussianDropout", L(GaussianDropout(0.25, 12)), {{3, 4}}, true},
      {"AlphaDropout", L(AlphaDropout(0.2, 13)), {{5, 4}}, true},
      {"ActivityRegularization", L(ActivityRegularization(0.01, 0.002)), {{3, 4}}, true},
      {"Add", L(Add()), {{3, 4}, {3, 4}}},
      {"Add_three", L(Add()), {{3, 4}, {3, 4}, {3, 4}}},
      {"Add_broadcast", L(Add()), {{3, 2, 4}, {3, 4}}},
      {"Subtract", L(Subtract()), {{3, 4}, {3, 4}}},
      {"Multiply", L(Multiply()), {{3, 4}, {3, 1}}},
      {"Average", L(Average()), {{3, 4}, {3, 4}, {3, 4}}},
      {"Maximum", L(Maximum()), {{3, 4}, {3, 4}}},
      {"Minimum", L(Minimum()), {{3, 4}, {3, 4}}},
      {"Concatenate", L(Concatenate()), {{3, 2}, {3, 4}}},
      {"Concatenate_axis1", L(Concatenate(1)), {{2, 1, 3}, {2, 2, 3}}},
  };
}

// The layer's weights in float64: Keras's layers keep float32 weights, and the check needs
// float64 throughout. Counters (int64) stay as they are.
void widen_to_float64(const Layer& layer) {
  for (Variable v : layer.weights()) {
    if (v.dtype() != DType::Float32) continue;
    const Tensor value = cast(v.value(), DType::Float64);
    v.state().dtype = DType::Float64;
    v.state().storage = nullptr;
    v.assign(value);
  }
}

// Random float64 inputs kept 0.02 away from the case's kinks.
TensorList make_inputs(const LayerCase& c) {
  TensorList x;
  uint64_t seed = 21;
  for (const Shape& s : c.inputs) {
    Tensor t = Tensor::random_uniform(s, -2, 2, seed++, DType::Float64);
    for (int64_t i = 0; i < t.numel(); ++i)
      for (double k : c.kinks)
        if (std::fabs(t.data<double>()[i] - k) < 0.02) t.data<double>()[i] = k + 0.05;
    x.push_back(t);
  }
  return x;
}

// sum(layer(x) * w) plus the loss terms the layer adds, in training mode when the case asks, at
// step 3 (so the noise layers draw the same noise every time).
Tensor objective(Layer& layer, const LayerCase& c, const TensorList& x, const Tensor& w) {
  std::vector<Tensor> losses;
  CallContext ctx;
  ctx.training = c.training;
  ctx.step = Tensor::scalar(3, DType::Int64);
  ctx.losses = &losses;
  const Tensor y = c.inputs.size() == 1 ? layer(x[0], ctx) : layer(x, ctx)[0];
  Tensor total = reduce_sum(y * w);
  for (const Tensor& l : losses) total = total + l;
  return total;
}

// d f / d (element j of `value`) by central differences; `set` puts a changed `value` in place.
double central_difference(const std::function<double()>& f, Tensor value, int64_t j,
                          const std::function<void(const Tensor&)>& set) {
  const double h = 1e-6, v = value.data<double>()[j];
  value.data<double>()[j] = v + h;
  set(value);
  const double fp = f();
  value.data<double>()[j] = v - h;
  set(value);
  const double fm = f();
  value.data<double>()[j] = v;
  set(value);
  return (fp - fm) / (2 * h);
}

}  // namespace

TEST_CASE("every new layer's gradients match finite differences, under a tape and in a graph") {
  int checked = 0;
  for (const LayerCase& c : layer_cases()) {
    CAPTURE(c.name);
    const LayerPtr layer = c.make();
    std::vector<Shape> build_shapes;
    for (Shape s : c.inputs) {
      s[0] = -1;
      build_shapes.push_back(s);
    }
    layer->ensure_built(build_shapes);
    widen_to_float64(*layer);
    const TensorList x = make_inputs(c);
    const Shape out_shape = c.inputs.size() == 1 ? (*layer)(x[0]).shape() : (*layer)(x)[0].shape();
    const Tensor w = Tensor::random_uniform(out_shape, -1, 1, 99, DType::Float64);
    const VariableList weights = layer->trainable_weights();

    // Under a tape: inputs watched, trainable weights watched automatically.
    GradientTape tape(/*persistent=*/true);
    for (const Tensor& xi : x) tape.watch(xi);
    const Tensor loss = objective(*layer, c, x, w);
    const TensorList dx = tape.gradient(loss, x);
    const TensorList dw = tape.gradient(loss, weights);

    // In a graph: placeholders with a -1 batch.
    Graph g;
    auto scope = g.as_default();
    TensorList phs;
    FeedDict feeds;
    for (size_t i = 0; i < x.size(); ++i) {
      Shape s = x[i].shape();
      s[0] = -1;
      phs.push_back(placeholder(DType::Float64, s, "x" + std::to_string(i)));
      feeds.emplace_back(phs.back(), x[i]);
    }
    const Tensor graph_loss = objective(*layer, c, phs, w);
    TensorList fetches{graph_loss};
    for (const Tensor& gr : gradients(graph_loss, phs)) fetches.push_back(gr);
    for (const Tensor& gr : gradients(graph_loss, weights)) fetches.push_back(gr);
    const TensorList graph = Session(g).run(fetches, feeds);
    CHECK(graph[0].item<double>() == doctest::Approx(loss.item<double>()).epsilon(1e-12));

    // Finite differences of every input and weight element.
    TensorList probe = x;
    auto f = [&] { return objective(*layer, c, probe, w).item<double>(); };
    for (size_t i = 0; i < x.size(); ++i) {
      CAPTURE(i);
      Tensor fd = Tensor::zeros(x[i].shape(), DType::Float64);
      for (int64_t j = 0; j < x[i].numel(); ++j)
        fd.data<double>()[j] =
            central_difference(f, x[i].clone(), j, [&](const Tensor& v) { probe[i] = v; });
      probe[i] = x[i];
      REQUIRE(dx[i].defined());
      CHECK(max_rel_diff(dx[i], fd) < 1e-6);
      CHECK(max_rel_diff(graph[1 + i], fd) < 1e-6);
    }
    for (size_t k = 0; k < weights.size(); ++k) {
      CAPTURE(weights[k].name());
      Variable v = weights[k];
      Tensor fd = Tensor::zeros(v.shape(), DType::Float64);
      for (int64_t j = 0; j < v.shape().numel(); ++j)
        fd.data<double>()[j] =
            central_difference(f, v.value(), j, [&](const Tensor& t) { v.assign(t); });
      REQUIRE(dw[k].defined());
      CHECK(max_rel_diff(dw[k], fd) < 1e-6);
      CHECK(max_rel_diff(graph[1 + x.size() + k], fd) < 1e-6);
    }
    ++checked;
  }
  CHECK(checked == 34);
}
