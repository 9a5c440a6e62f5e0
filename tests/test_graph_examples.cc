// The worked examples of the concept documents (DESIGN.md), in graph mode and under a tape.
#include <doctest/doctest.h>

#include <cmath>

#include "framework/nabla.h"

using namespace nabla;

TEST_CASE("e = (a + b) * (b + 1): value 6 and partial derivatives") {
  Graph g;
  auto scope = g.as_default();
  Tensor a = placeholder(DType::Float32, {}, "a");
  Tensor b = placeholder(DType::Float32, {}, "b");
  Tensor c = a + b;
  Tensor d = b + 1.f;
  Tensor e = c * d;
  TensorList grads = gradients(e, {a, b, c, d});
  Session sess(g);
  TensorList out =
      sess.run({e, grads[0], grads[1], grads[2], grads[3]}, {{a, Tensor(2.f)}, {b, Tensor(1.f)}});
  CHECK(out[0].item<float>() == 6.f);
  CHECK(out[1].item<float>() == 2.f);  // de/da = d
  CHECK(out[2].item<float>() == 5.f);  // de/db = d + c
  CHECK(out[3].item<float>() == 2.f);  // de/dc = d
  CHECK(out[4].item<float>() == 3.f);  // de/dd = c
}

TEST_CASE("prod / sum at a=15, b=5 gives 3.75") {
  Graph g;
  auto scope = g.as_default();
  Tensor a = constant(Tensor::scalar(15), "a");
  Tensor b = constant(Tensor::scalar(5), "b");
  Tensor prod = a * b;
  Tensor sum = a + b;
  Tensor res = prod / sum;
  CHECK(Session(g).run(res).item<float>() == doctest::Approx(3.75));
}

TEST_CASE("g = ((a * b) + d) / f with its gradients") {
  Graph g;
  auto scope = g.as_default();
  Tensor a = placeholder(DType::Float32, {}, "a");
  Tensor b = placeholder(DType::Float32, {}, "b");
  Tensor d = placeholder(DType::Float32, {}, "d");
  Tensor f = placeholder(DType::Float32, {}, "f");
  Tensor out = ((a * b) + d) / f;
  TensorList grads = gradients(out, {a, b, d, f});
  Session sess(g);
  FeedDict feeds{{a, Tensor(2.f)}, {b, Tensor(3.f)}, {d, Tensor(4.f)}, {f, Tensor(5.f)}};
  TensorList v = sess.run({out, grads[0], grads[1], grads[2], grads[3]}, feeds);
  CHECK(v[0].item<float>() == doctest::Approx(2.0));         // (6 + 4) / 5
  CHECK(v[1].item<float>() == doctest::Approx(3.0 / 5));     // b / f
  CHECK(v[2].item<float>() == doctest::Approx(2.0 / 5));     // a / f
  CHECK(v[3].item<float>() == doctest::Approx(1.0 / 5));     // 1 / f
  CHECK(v[4].item<float>() == doctest::Approx(-10.0 / 25));  // -(ab + d) / f^2
}

TEST_CASE("under a tape, f = 4 * c gives df/dc = 4") {
  Tensor c = Tensor::scalar(3);
  GradientTape tape;
  tape.watch(c);
  Tensor f = 4 * c;
  CHECK(f.item<float>() == 12.f);
  CHECK(tape.gradient(f, c).item<float>() == 4.f);
}

TEST_CASE("placeholder p ** 2 fed [2, 3, 5] gives [4, 9, 25]") {
  Graph g;
  auto scope = g.as_default();
  Tensor p = placeholder(DType::Float32, {-1}, "p");
  Tensor sq = pow(p, 2);
  Tensor out = Session(g).run(sq, {{p, Tensor({2.f, 3.f, 5.f})}});
  CHECK(out.to_vector<float>() == std::vector<float>{4, 9, 25});
  CHECK(out.to_string() == "Tensor([4 9 25], shape=(3,), dtype=float32)");
}

TEST_CASE("sigmoid(x . w + b) with an MSE loss: graph gradients match the tape and the formula") {
  const Tensor xv({1.f, 2.f, -1.f, 0.5f, 0.f, 3.f}, {3, 2});
  const Tensor yv({1.f, 0.f, 1.f}, {3, 1});
  const Tensor wv({0.3f, -0.2f}, {2, 1});
  const float bv = 0.1f;

  Graph g;
  auto scope = g.as_default();
  Tensor x = placeholder(DType::Float32, {-1, 2}, "x");
  Tensor y = placeholder(DType::Float32, {-1, 1}, "y");
  Variable w = g.variable(wv, "w");
  Variable b = g.variable(Tensor::full({1}, bv), "b");
  Tensor pred = sigmoid(matmul(x, w) + b);
  Tensor loss = reduce_mean(square(pred - y));
  TensorList grads = gradients(loss, VariableList{w, b});
  Session sess(g);
  sess.initialize();
  TensorList out = sess.run({loss, grads[0], grads[1]}, {{x, xv}, {y, yv}});

  // By hand: dL/dz_i = 2/N (p_i - y_i) p_i (1 - p_i); dL/dw = x^T dz; dL/db = sum dz.
  const float* X = xv.data<float>();
  double dw[2] = {0, 0}, db = 0, l = 0;
  for (int i = 0; i < 3; ++i) {
    const double z = X[2 * i] * 0.3 + X[2 * i + 1] * -0.2 + 0.1;
    const double p = 1 / (1 + std::exp(-z));
    const double yi = yv.at(i);
    l += (p - yi) * (p - yi) / 3;
    const double dz = 2.0 / 3 * (p - yi) * p * (1 - p);
    dw[0] += X[2 * i] * dz, dw[1] += X[2 * i + 1] * dz, db += dz;
  }
  CHECK(out[0].item<float>() == doctest::Approx(l).epsilon(1e-6));
  CHECK(out[1].at(0) == doctest::Approx(dw[0]).epsilon(1e-5));
  CHECK(out[1].at(1) == doctest::Approx(dw[1]).epsilon(1e-5));
  CHECK(out[2].at(0) == doctest::Approx(db).epsilon(1e-5));

  // The same model eagerly under a tape.
  Variable we(wv, "w"), be(Tensor::full({1}, bv), "b");
  GradientTape tape;
  Tensor le = reduce_mean(square(sigmoid(matmul(xv, we) + be) - yv));
  TensorList ge = tape.gradient(le, VariableList{we, be});
  CHECK(le.item<float>() == doctest::Approx(l).epsilon(1e-6));
  CHECK(ge[0].at(0) == doctest::Approx(dw[0]).epsilon(1e-5));
  CHECK(ge[1].at(0) == doctest::Approx(db).epsilon(1e-5));
}
