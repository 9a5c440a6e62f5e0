// Every op's gradient against central finite differences on random inputs (broadcast cases
// included), in graph mode (gradients() through a Session, with run-time shapes) and under a
// GradientTape, in float64.
#include <doctest/doctest.h>

#include <cmath>

#include "op_cases.h"

using namespace nabla;
using namespace nabla::testing;

namespace {

// The scalar whose gradient is checked: sum(op(x) * w), w random, so every output element
// contributes with its own weight.
Tensor weighted_sum(const OpCase& c, const TensorList& x, const Tensor& w) {
  return reduce_sum(c.build(x) * w);
}

Tensor finite_difference(const OpCase& c, const TensorList& x, const Tensor& w, size_t input) {
  const double h = 1e-6;
  Tensor grad = Tensor::zeros(x[input].shape(), DType::Float64);
  for (int64_t j = 0; j < x[input].numel(); ++j) {
    TensorList plus = x, minus = x;
    plus[input] = x[input].clone();
    minus[input] = x[input].clone();
    plus[input].data<double>()[j] += h;
    minus[input].data<double>()[j] -= h;
    const double fp = weighted_sum(c, plus, w).item<double>();
    const double fm = weighted_sum(c, minus, w).item<double>();
    grad.data<double>()[j] = (fp - fm) / (2 * h);
  }
  return grad;
}

}  // namespace

TEST_CASE("every op's gradient matches finite differences, in graph mode and under a tape") {
  int checked = 0;
  for (const OpCase& c : op_cases(DType::Float64)) {
    if (!c.differentiable) continue;
    CAPTURE(c.name);
    const TensorList x = make_inputs(c, 7);
    const Tensor out = c.build(x);
    const Tensor w = Tensor::random_uniform(out.shape(), -1, 1, 99, DType::Float64);

    // Under a tape.
    GradientTape tape;
    for (const Tensor& xi : x)
      if (is_floating(xi.dtype())) tape.watch(xi);
    const Tensor loss = weighted_sum(c, x, w);
    const TensorList tape_grads = tape.gradient(loss, x);

    // In a graph, through placeholders (with -1 dimensions where the case asks for them).
    Graph g;
    auto scope = g.as_default();
    const auto [phs, feeds] = graph_inputs(c, x);
    const Tensor graph_loss = weighted_sum(c, phs, w);
    TensorList float_phs;
    for (const Tensor& p : phs)
      if (is_floating(p.dtype())) float_phs.push_back(p);
    const TensorList graph_grads = gradients(graph_loss, float_phs);
    TensorList fetches{graph_loss};
    for (const Tensor& gr : graph_grads)
      if (gr.defined()) fetches.push_back(gr);
    const TensorList graph_values = Session(g).run(fetches, feeds);
    CHECK(graph_values[0].item<double>() == doctest::Approx(loss.item<double>()).epsilon(1e-12));

    size_t k = 0, fetched = 1;
    for (size_t i = 0; i < x.size(); ++i) {
      if (!is_floating(x[i].dtype())) continue;
      CAPTURE(i);
      const Tensor fd = finite_difference(c, x, w, i);
      const Tensor& graph_grad = graph_grads[k++];
      CHECK(graph_grad.defined() == tape_grads[i].defined());
      if (!graph_grad.defined()) {  // no gradient flows: the function must not depend on it
        CHECK(max_rel_diff(Tensor::zeros(fd.shape(), DType::Float64), fd) == 0.0);
        continue;
      }
      const Tensor graph_value = graph_values[fetched++];
      CHECK(max_rel_diff(tape_grads[i], fd) < c.fd_tolerance);
      CHECK(max_rel_diff(graph_value, fd) < c.fd_tolerance);
      CHECK(max_rel_diff(graph_value, tape_grads[i]) < 1e-12);
    }
    ++checked;
  }
  CHECK(checked > 60);
}

TEST_CASE("gradients sum over all paths and a non-scalar target is summed") {
  Graph g;
  auto scope = g.as_default();
  Tensor x = placeholder(DType::Float32, {3}, "x");
  Tensor y = x * x + x;  // two paths from x; non-scalar target
  Tensor dx = gradients(y, {x})[0];
  Tensor v = Session(g).run(dx, {{x, Tensor({1.f, 2.f, -3.f})}});
  CHECK(v.to_vector<float>() == std::vector<float>{3, 5, -5});  // 2x + 1
}

TEST_CASE("an unconnected source gives an undefined gradient, or zeros when asked") {
  Graph g;
  auto scope = g.as_default();
  Tensor x = placeholder(DType::Float32, {2}, "x");
  Tensor z = placeholder(DType::Float32, {2}, "z");
  Tensor y = reduce_sum(x * 2.f);
  TensorList none = gradients(y, {z});
  CHECK_FALSE(none[0].defined());
  Tensor zero = gradients(y, {z}, Tensor(), UnconnectedGradients::Zero)[0];
  CHECK(Session(g).run(zero, {{z, Tensor({1.f, 2.f})}}).to_vector<float>() ==
        std::vector<float>{0, 0});

  GradientTape tape;
  Tensor a = Tensor({1.f, 2.f}), b = Tensor({3.f, 4.f});
  tape.watch(a);
  tape.watch(b);
  Tensor out = reduce_sum(a * a);
  TensorList gs = tape.gradient(out, TensorList{a, b});
  CHECK(gs[0].to_vector<float>() == std::vector<float>{2, 4});
  CHECK_FALSE(gs[1].defined());
}

TEST_CASE("gradients stop at comparisons, argmax, integer casts and stop_gradient") {
  Graph g;
  auto scope = g.as_default();
  Tensor x = placeholder(DType::Float32, {3}, "x");
  Tensor y =
      reduce_sum(x * stop_gradient(x)) + reduce_sum(cast(cast(x, DType::Int32), DType::Float32));
  Tensor dx = gradients(y, {x})[0];
  CHECK(Session(g).run(dx, {{x, Tensor({1.f, 2.f, 3.f})}}).to_vector<float>() ==
        std::vector<float>{1, 2, 3});
}

TEST_CASE("tape: variables are watched automatically, persistent tapes allow several calls") {
  Variable w(Tensor({1.f, 2.f}), "w");
  Variable frozen(Tensor({5.f, 5.f}), "frozen", /*trainable=*/false);
  GradientTape tape(/*persistent=*/true);
  Tensor y = reduce_sum(square(w.read()) * frozen.read());
  TensorList g1 = tape.gradient(y, VariableList{w, frozen});
  CHECK(g1[0].to_vector<float>() == std::vector<float>{10, 20});
  CHECK_FALSE(g1[1].defined());  // not trainable, not watched
  TensorList g2 = tape.gradient(y, VariableList{w});
  CHECK(g2[0].to_vector<float>() == std::vector<float>{10, 20});
  CHECK(tape.watched_variables().size() == 1);

  GradientTape once;
  Tensor z = reduce_sum(w.read() * 3.f);
  once.gradient(z, VariableList{w});
  CHECK_THROWS_WITH_AS(once.gradient(z, VariableList{w}), doctest::Contains("only once"),
                       StateError);
}
