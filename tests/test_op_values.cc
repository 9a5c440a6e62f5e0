// Op values against references computed here by hand, and graph mode against eager mode for
// every op in the table.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "op_cases.h"

using namespace nabla;
using namespace nabla::testing;

namespace {
std::vector<double> values(const Tensor& t) {
  return t.to_vector<double>();
}

// Largest |c - op(a)·op(b)| over c's entries, each relative to the sum of its terms' magnitudes
// (at least 1): float32 rounding grows with that sum, not with the result. Reference in double.
double worst_matmul_error(const Tensor& c, const Tensor& a, const Tensor& b, bool ta, bool tb) {
  const int64_t m = c.shape()[0], n = c.shape()[1], k = a.shape()[ta ? 0 : 1];
  double worst = 0;
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double ref = 0, magnitude = 0;
      for (int64_t p = 0; p < k; ++p) {
        const double term = a.at(ta ? p * m + i : i * k + p) * b.at(tb ? j * k + p : p * n + j);
        ref += term, magnitude += std::fabs(term);
      }
      worst = std::max(worst, std::fabs(c.at(i * n + j) - ref) / std::max(1.0, magnitude));
    }
  return worst;
}
}  // namespace

TEST_CASE("graph mode and eager mode agree for every op") {
  for (const OpCase& c : op_cases(DType::Float32)) {
    CAPTURE(c.name);
    const TensorList x = make_inputs(c, 3);
    const Tensor eager = c.build(x);
    Graph g;
    auto scope = g.as_default();
    const auto [phs, feeds] = graph_inputs(c, x);
    const Tensor graph = Session(g).run(c.build(phs), feeds);
    CHECK(graph.shape() == eager.shape());
    CHECK(max_rel_diff(graph, eager) == 0.0);
  }
}

TEST_CASE("element-wise math matches the C library") {
  const Tensor x = Tensor({-1.5f, -0.3f, 0.2f, 0.9f, 2.5f});
  struct Ref {
    const char* name;
    Tensor (*op)(const Tensor&);
    double (*ref)(double);
  };
  const Ref refs[] = {
      {"exp", [](const Tensor& t) { return exp(t); }, [](double v) { return std::exp(v); }},
      {"tanh", [](const Tensor& t) { return tanh(t); }, [](double v) { return std::tanh(v); }},
      {"sigmoid", [](const Tensor& t) { return sigmoid(t); },
       [](double v) { return 1 / (1 + std::exp(-v)); }},
      {"softplus", [](const Tensor& t) { return softplus(t); },
       [](double v) { return std::log1p(std::exp(v)); }},
      {"softsign", [](const Tensor& t) { return softsign(t); },
       [](double v) { return v / (1 + std::fabs(v)); }},
      {"relu", [](const Tensor& t) { return relu(t); }, [](double v) { return v > 0 ? v : 0; }},
      {"elu", [](const Tensor& t) { return elu(t); },
       [](double v) { return v > 0 ? v : std::expm1(v); }},
      {"selu", [](const Tensor& t) { return selu(t); },
       [](double v) {
         return 1.0507009873554805 * (v > 0 ? v : 1.6732632423543772 * std::expm1(v));
       }},
      {"gelu", [](const Tensor& t) { return gelu(t); },
       [](double v) { return 0.5 * v * (1 + std::erf(v / std::sqrt(2.0))); }},
      {"silu", [](const Tensor& t) { return silu(t); },
       [](double v) { return v / (1 + std::exp(-v)); }},
      {"mish", [](const Tensor& t) { return mish(t); },
       [](double v) { return v * std::tanh(std::log1p(std::exp(v))); }},
      {"abs", [](const Tensor& t) { return abs(t); }, [](double v) { return std::fabs(v); }},
      {"square", [](const Tensor& t) { return square(t); }, [](double v) { return v * v; }},
      {"sin", [](const Tensor& t) { return sin(t); }, [](double v) { return std::sin(v); }},
  };
  for (const Ref& r : refs) {
    CAPTURE(r.name);
    const std::vector<double> got = values(r.op(x));
    for (size_t i = 0; i < got.size(); ++i)
      CHECK(got[i] == doctest::Approx(r.ref(x.at(i))).epsilon(1e-6));
  }
  CHECK(values(leaky_relu(x, 0.1)) ==
        std::vector<double>{-0.15000000596046448, -0.030000001192092896, 0.20000000298023224,
                            0.8999999761581421, 2.5});
  CHECK(values(relu6(Tensor({-1.f, 3.f, 7.f}))) == std::vector<double>{0, 3, 6});
  CHECK(values(hard_sigmoid(Tensor({-3.f, 0.f, 1.f, 3.f}), 0.2)) ==
        std::vector<double>{0, 0.5, 0.699999988079071, 1});
}

TEST_CASE("matmul in its four transpose forms matches a naive product") {
  const Tensor a = Tensor::random_uniform({5, 7}, -1, 1, 1);
  const Tensor b = Tensor::random_uniform({7, 3}, -1, 1, 2);
  auto naive = [](const Tensor& l, const Tensor& r) {
    const int64_t m = l.shape()[0], k = l.shape()[1], n = r.shape()[1];
    std::vector<double> c(m * n, 0);
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j)
        for (int64_t p = 0; p < k; ++p) c[i * n + j] += l.at(i * k + p) * r.at(p * n + j);
    return c;
  };
  const std::vector<double> ref = naive(a, b);
  auto close = [&](const Tensor& t) {
    const std::vector<double> v = values(t);
    REQUIRE(v.size() == ref.size());
    for (size_t i = 0; i < v.size(); ++i) CHECK(v[i] == doctest::Approx(ref[i]).epsilon(1e-5));
  };
  close(matmul(a, b));
  close(matmul(transpose(a), b, true, false));
  close(matmul(a, transpose(b), false, true));
  close(matmul(transpose(a), transpose(b), true, true));
  // Large enough to be split over threads.
  const Tensor big_a = Tensor::random_uniform({300, 200}, -1, 1, 3);
  const Tensor big_b = Tensor::random_uniform({200, 250}, -1, 1, 4);
  const Tensor big = matmul(big_a, big_b);
  double ref00 = 0, ref_last = 0;
  for (int p = 0; p < 200; ++p) {
    ref00 += big_a.at(p) * big_b.at(p * 250);
    ref_last += big_a.at(299 * 200 + p) * big_b.at(p * 250 + 249);
  }
  CHECK(big.at(0) == doctest::Approx(ref00).epsilon(1e-4));
  CHECK(big.at(300 * 250 - 1) == doctest::Approx(ref_last).epsilon(1e-4));
}

TEST_CASE("reductions, softmax and shapes by hand") {
  const Tensor x = Tensor({1.f, 2.f, 3.f, 4.f, 5.f, 6.f}, {2, 3});
  CHECK(values(reduce_sum(x)) == std::vector<double>{21});
  CHECK(values(reduce_sum(x, {0})) == std::vector<double>{5, 7, 9});
  CHECK(values(reduce_sum(x, {1}, true)) == std::vector<double>{6, 15});
  CHECK(reduce_sum(x, {1}, true).shape() == Shape{2, 1});
  CHECK(values(reduce_mean(x, {1})) == std::vector<double>{2, 5});
  CHECK(values(reduce_max(x, {0})) == std::vector<double>{4, 5, 6});
  CHECK(values(reduce_min(x, {-1})) == std::vector<double>{1, 4});
  CHECK(values(argmax(x, 0)) == std::vector<double>{1, 1, 1});
  CHECK(argmax(x, 1).dtype() == DType::Int64);
  CHECK(values(transpose(x)) == std::vector<double>{1, 4, 2, 5, 3, 6});
  CHECK(values(slice(x, {0, 1}, {2, 2})) == std::vector<double>{2, 3, 5, 6});
  CHECK(values(concat({x, x}, 0)).size() == 12);
  CHECK(values(concat({x, Tensor({9.f, 9.f}, {2, 1})}, 1)) ==
        std::vector<double>{1, 2, 3, 9, 4, 5, 6, 9});
  CHECK(reshape(x, {3, -1}).shape() == Shape{3, 2});
  CHECK(values(one_hot(Tensor::from_vector<int64_t>({0, 2, 5}, {3}), 3)) ==
        std::vector<double>{1, 0, 0, 0, 0, 1, 0, 0, 0});  // out of range: all off
  CHECK(values(where(greater(x, 3.5f), x, zeros_like(x))) == std::vector<double>{0, 0, 0, 4, 5, 6});

  const std::vector<double> s = values(softmax(Tensor({1.f, 2.f, 3.f})));
  const double z = std::exp(1) + std::exp(2) + std::exp(3);
  CHECK(s[0] == doctest::Approx(std::exp(1) / z));
  CHECK(s[2] == doctest::Approx(std::exp(3) / z));
  // Large logits: no overflow, no log(0).
  const std::vector<double> ls = values(log_softmax(Tensor({1000.f, 0.f})));
  CHECK(ls[0] == doctest::Approx(0.0));
  CHECK(ls[1] == doctest::Approx(-1000.0));
  const Tensor xent = sparse_softmax_cross_entropy_with_logits(
      Tensor::from_vector<int32_t>({1}, {1}), Tensor({1000.f, -1000.f}, {1, 2}));
  CHECK(xent.item<float>() == doctest::Approx(2000.0));
  const Tensor bce = sigmoid_cross_entropy_with_logits(Tensor({1.f, 0.f}), Tensor({-100.f, 100.f}));
  CHECK(values(bce) == std::vector<double>{100, 100});
}

TEST_CASE("random ops are seeded and reproducible; dropout keeps the expected fraction") {
  const Tensor a = Tensor::random_normal({1000}, 0, 1, 42);
  const Tensor b = Tensor::random_normal({1000}, 0, 1, 42);
  const Tensor c = Tensor::random_normal({1000}, 0, 1, 43);
  CHECK(max_rel_diff(a, b) == 0.0);
  CHECK(max_rel_diff(a, c) > 0.1);
  double mean = 0, var = 0;
  for (int i = 0; i < 1000; ++i) mean += a.at(i) / 1000;
  for (int i = 0; i < 1000; ++i) var += (a.at(i) - mean) * (a.at(i) - mean) / 1000;
  CHECK(std::fabs(mean) < 0.1);
  CHECK(var == doctest::Approx(1.0).epsilon(0.1));
  const Tensor t = Tensor::truncated_normal({2000}, 0, 1, 5);
  for (int i = 0; i < 2000; ++i) REQUIRE(std::fabs(t.at(i)) < 2.0);
  const Tensor u = Tensor::random_uniform({2000}, 2, 3, 5);
  for (int i = 0; i < 2000; ++i) REQUIRE((u.at(i) >= 2.0 && u.at(i) < 3.0));

  Graph g;
  auto scope = g.as_default();
  Tensor x = placeholder(DType::Float32, {-1}, "x");
  Tensor step = placeholder(DType::Int64, {}, "step");
  Tensor d = dropout(x, 0.25, 7, step);
  Session sess(g);
  const Tensor ones = Tensor::ones({10000});
  auto run_at = [&](int64_t s) {
    return sess.run(d, {{x, ones}, {step, Tensor::scalar(s, DType::Int64)}});
  };
  const Tensor d1 = run_at(1), d1_again = run_at(1), d2 = run_at(2);
  CHECK(max_rel_diff(d1, d1_again) == 0.0);  // the same step gives the same mask
  CHECK(max_rel_diff(d1, d2) > 0.0);
  int kept = 0;
  for (int i = 0; i < 10000; ++i) {
    const double v = d1.at(i);
    REQUIRE((v == 0.0 || v == doctest::Approx(1 / 0.75)));
    kept += v != 0.0;
  }
  CHECK(kept == doctest::Approx(7500).epsilon(0.03));
}

TEST_CASE("sigmoid cross-entropy has the right gradient at a logit of exactly 0") {
  Tensor z = Tensor::zeros({2}, DType::Float64);
  Tensor labels = Tensor::from_vector<double>({1.0, 0.0}, {2});
  GradientTape tape;
  tape.watch(z);
  Tensor loss = reduce_sum(sigmoid_cross_entropy_with_logits(labels, z));
  CHECK(values(tape.gradient(loss, z)) == std::vector<double>{-0.5, 0.5});
}

TEST_CASE("sparse cross-entropy and its gradient over blocks of rows and rows wider than a block") {
  // The kernels take exponentials for a block of rows at once (1024 values): 300 rows of 10
  // classes span three blocks, a row of 3000 classes is wider than one.
  const int64_t shapes[][2] = {{300, 10}, {3, 3000}};
  for (const auto& s : shapes) {
    const int64_t rows = s[0], classes = s[1];
    CAPTURE(classes);
    const Tensor z = Tensor::random_uniform({rows, classes}, -20, 20, 41);
    std::vector<int64_t> picks;
    for (int64_t r = 0; r < rows; ++r) picks.push_back((r * 7) % classes);
    const Tensor labels = Tensor::from_vector(picks, Shape{rows});
    GradientTape tape;
    tape.watch(z);
    const Tensor loss = sparse_softmax_cross_entropy_with_logits(labels, z);
    const std::vector<float> got = loss.to_vector<float>();
    const std::vector<float> grad = tape.gradient(reduce_sum(loss), z).to_vector<float>();
    const std::vector<float> zv = z.to_vector<float>();
    double worst_loss = 0, worst_grad = 0;
    for (int64_t r = 0; r < rows; ++r) {
      const float* row = zv.data() + r * classes;
      const double m = *std::max_element(row, row + classes);
      double sum = 0;
      for (int64_t j = 0; j < classes; ++j) sum += std::exp(row[j] - m);
      const double want = m + std::log(sum) - row[picks[r]];
      worst_loss = std::max(worst_loss, std::fabs(got[r] - want) / std::max(1.0, want));
      for (int64_t j = 0; j < classes; ++j) {
        const double p = std::exp(row[j] - m) / sum - (j == picks[r] ? 1.0 : 0.0);
        worst_grad = std::max(worst_grad, std::fabs(grad[r * classes + j] - p));
      }
    }
    CHECK(worst_loss < 1e-6);
    CHECK(worst_grad < 1e-6);
  }
}

TEST_CASE("gather copies rows of a large table on several threads and names a bad index") {
  // Rows of 784 floats: a batch of 257 is split over the threads, each prefetching ahead; rows of
  // 3 floats take the narrow rows' loop, rows of 2 floats and of 1 the fixed-size copies.
  const int64_t rows = 3000;
  std::vector<int64_t> picks;
  for (int64_t i = 0; i < 257; ++i) picks.push_back((i * 7919) % rows);
  picks[3] = 0, picks[4] = rows - 1, picks[5] = picks[6];
  for (int64_t width : {784, 3, 2, 1}) {
    CAPTURE(width);
    const Tensor table = Tensor::random_uniform({rows, width}, -1, 1, 31);
    const std::vector<float> all = table.to_vector<float>();
    for (DType index_type : {DType::Int64, DType::Int32}) {
      CAPTURE(index_type);
      const Tensor idx = cast(Tensor::from_vector(picks, Shape{257}), index_type);
      const std::vector<float> got = gather(table, idx).to_vector<float>();
      REQUIRE(got.size() == picks.size() * width);
      bool same = true;
      for (size_t i = 0; i < picks.size(); ++i)
        same = same && std::equal(all.begin() + picks[i] * width,
                                  all.begin() + (picks[i] + 1) * width, got.begin() + i * width);
      CHECK(same);
    }
    for (int64_t bad : {rows, int64_t{-1}}) {
      std::vector<int64_t> wrong = picks;
      wrong[200] = bad;
      const std::string want =
          "index " + std::to_string(bad) + " at position 200 is outside [0, 3000)";
      CHECK_THROWS_WITH_AS(gather(table, Tensor::from_vector(wrong, Shape{257})),
                           doctest::Contains(want.c_str()), ValueError);
    }
  }
}

TEST_CASE("a single row times a matrix split by depth over threads sums every band once") {
  // One row of output with B not transposed splits B's rows (the depth) over the threads and adds
  // the partial rows; with 3 threads and k = 2 one band is empty.
  const int threads_before = num_threads();
  const int64_t shapes[][2] = {{300, 701}, {257, 1001}, {150000, 2}};  // n, k
  for (int threads : {2, 3}) {
    set_num_threads(threads);
    for (const auto& s : shapes) {
      const int64_t n = s[0], k = s[1];
      for (bool ta : {false, true}) {
        CAPTURE(threads);
        CAPTURE(n);
        CAPTURE(k);
        CAPTURE(ta);
        const Tensor a = Tensor::random_uniform(ta ? Shape{k, 1} : Shape{1, k}, -1, 1, 21);
        const Tensor b = Tensor::random_uniform({k, n}, -1, 1, 22);
        const Tensor c = matmul(a, b, ta, false);
        REQUIRE(c.shape() == (Shape{1, n}));
        CHECK(worst_matmul_error(c, a, b, ta, false) < 1e-6);
      }
    }
  }
  set_num_threads(threads_before);
}

TEST_CASE("float32 matmul is right at odd sizes, deep and tall blocks, in all transpose forms") {
  const int64_t shapes[][3] = {{1, 1, 1},      {3, 5, 2},      {8, 32, 7},
                               {9, 33, 17},    {17, 31, 300},  {130, 45, 600},
                               {129, 257, 70}, {200, 64, 513}, {5, 100, 1}};
  for (const auto& s : shapes) {
    const int64_t m = s[0], n = s[1], k = s[2];
    for (int form = 0; form < 4; ++form) {
      const bool ta = form & 1, tb = form & 2;
      CAPTURE(m);
      CAPTURE(n);
      CAPTURE(k);
      CAPTURE(form);
      const Tensor a = Tensor::random_uniform(ta ? Shape{k, m} : Shape{m, k}, -1, 1, 11);
      const Tensor b = Tensor::random_uniform(tb ? Shape{n, k} : Shape{k, n}, -1, 1, 12);
      const Tensor c = matmul(a, b, ta, tb);
      REQUIRE(c.shape() == (Shape{m, n}));
      CHECK(worst_matmul_error(c, a, b, ta, tb) < 1e-6);
    }
  }
}
