// Every Keras activation name: its value against a formula written here, and its gradient
// against central finite differences (float64, under a tape).
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <map>

#include "framework/nabla.h"

using namespace nabla;

TEST_CASE("each Keras activation computes its formula and has the right gradient") {
  auto sig = [](double x) { return 1 / (1 + std::exp(-x)); };
  auto softplus = [](double x) { return std::log1p(std::exp(x)); };
  const std::map<std::string, std::function<double(double)>> ref = {
      {"linear", [](double x) { return x; }},
      {"relu", [](double x) { return std::max(x, 0.0); }},
      {"relu6", [](double x) { return std::min(std::max(x, 0.0), 6.0); }},
      {"leaky_relu", [](double x) { return x > 0 ? x : 0.2 * x; }},
      {"elu", [](double x) { return x > 0 ? x : std::expm1(x); }},
      {"selu",
       [](double x) {
         return 1.0507009873554805 * (x > 0 ? x : 1.6732632423543772 * std::expm1(x));
       }},
      {"sigmoid", sig},
      {"hard_sigmoid", [](double x) { return std::min(std::max(x / 6 + 0.5, 0.0), 1.0); }},
      {"tanh", [](double x) { return std::tanh(x); }},
      {"softplus", softplus},
      {"softsign", [](double x) { return x / (1 + std::fabs(x)); }},
      {"gelu", [](double x) { return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0))); }},
      {"silu", [&](double x) { return x * sig(x); }},
      {"swish", [&](double x) { return x * sig(x); }},
      {"mish", [&](double x) { return x * std::tanh(softplus(x)); }},
      {"exponential", [](double x) { return std::exp(x); }},
  };
  const std::vector<double> points{-3.1, -1.7, -0.4, 0.3, 0.9, 2.2, 4.5, 7.0};
  const Tensor x = Tensor::from_vector(points, Shape{static_cast<int64_t>(points.size())});
  for (const std::string& name : ActivationFn::names()) {
    CAPTURE(name);
    const ActivationFn f(name);
    if (name == "softmax" || name == "log_softmax") {
      const Tensor s = f(x);
      double z = 0;
      for (double p : points) z += std::exp(p);
      for (size_t i = 0; i < points.size(); ++i)
        CHECK(s.at(i) == doctest::Approx(name == "softmax" ? std::exp(points[i]) / z
                                                           : points[i] - std::log(z)));
      continue;
    }
    REQUIRE(ref.count(name));
    const Tensor y = f(x);
    GradientTape tape;
    tape.watch(x);
    const Tensor g = tape.gradient(reduce_sum(f(x)), x);
    for (size_t i = 0; i < points.size(); ++i) {
      CHECK(y.at(i) == doctest::Approx(ref.at(name)(points[i])).epsilon(1e-12));
      const double h = 1e-6,
                   fd = (ref.at(name)(points[i] + h) - ref.at(name)(points[i] - h)) / (2 * h);
      CHECK(g.at(i) == doctest::Approx(fd).epsilon(1e-6));
    }
  }
}

TEST_CASE("Keras 2 files read hard_sigmoid as Keras 2 computed it") {
  KerasVersionScope keras2(2);
  const Tensor y = ActivationFn("hard_sigmoid")(Tensor::from_vector<double>({1.0}, {1}));
  CHECK(y.at(0) == doctest::Approx(0.7));
}
