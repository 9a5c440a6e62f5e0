// Sessions: what runs, plan reuse, variables, feeds, laziness and the errors of each.
#include <doctest/doctest.h>

#include <cstring>
#include <set>

#include "framework/nabla.h"
#include "framework/ops/dispatch.h"  // apply_op
#include "framework/runtime/plan.h"

using namespace nabla;

TEST_CASE("run computes only what the fetches need") {
  Graph g;
  auto scope = g.as_default();
  Tensor a = placeholder(DType::Float32, {}, "a");
  Tensor never = placeholder(DType::Float32, {}, "never_fed");
  Tensor unused = never * 2.f;              // would fail (unfed placeholder) if it ran
  Tensor huge = zeros({1000000, 1000000});  // would fail (4 TB) if it ran
  Tensor b = a + 1.f;
  Session sess(g);
  CHECK(sess.run(b, {{a, Tensor(1.f)}}).item<float>() == 2.f);
  Session::PlanLease plan = sess.acquire({b}, {{a, Shape{}}});
  REQUIRE(plan->executed_nodes().size() == 1);
  CHECK(plan->executed_nodes()[0] == b.node());
  (void)unused;
  (void)huge;
}

TEST_CASE("a plan is built once per signature and reused") {
  Graph g;
  auto scope = g.as_default();
  Tensor x = placeholder(DType::Float32, {-1, 2}, "x");
  Tensor y = reduce_sum(x * x);
  Session sess(g);
  for (int i = 0; i < 5; ++i) sess.run(y, {{x, Tensor::ones({3, 2})}});
  CHECK(sess.plans_built() == 1);
  sess.run(y, {{x, Tensor::ones({4, 2})}});  // a new batch size is a new signature
  CHECK(sess.plans_built() == 2);
  CHECK(sess.run(y, {{x, Tensor::ones({3, 2})}}).item<float>() == 6.f);
  CHECK(sess.plans_built() == 2);
}

TEST_CASE("buffers whose lifetimes do not overlap share memory") {
  Graph g;
  auto scope = g.as_default();
  Tensor x = placeholder(DType::Float32, {256, 256}, "x");
  Tensor h = x;
  for (int i = 0; i < 10; ++i) h = relu(h * 1.5f + 0.5f);
  Session sess(g);
  Session::PlanLease plan = sess.acquire({h}, {{x, Shape{256, 256}}});
  CHECK(plan->unplanned_bytes() >= 30 * 256 * 256 * 4);
  CHECK(plan->arena_bytes() <= 3 * 256 * 256 * 4);
}

TEST_CASE("variables persist across runs; updates follow reads of the same run") {
  Graph g;
  auto scope = g.as_default();
  Variable v = g.variable(Tensor({1.f, 2.f}), "v");
  Tensor read = v.read() * 1.f;
  Tensor inc = assign_add(v, Tensor({1.f, 1.f}));
  Session sess(g);
  sess.initialize();
  TensorList out = sess.run({read, inc});
  CHECK(out[0].to_vector<float>() == std::vector<float>{1, 2});  // read before the update
  CHECK_FALSE(out[1].defined());                                 // an update has no output
  CHECK(sess.run(read).to_vector<float>() == std::vector<float>{2, 3});
  CHECK(v.value().to_vector<float>() == std::vector<float>{2, 3});
  sess.initialize();  // back to the initial value
  CHECK(sess.run(read).to_vector<float>() == std::vector<float>{1, 2});
}

TEST_CASE("graph variables with a random initializer are reproducible") {
  auto make = [] {
    Graph g;
    auto scope = g.as_default();
    Variable w = g.variable(random_normal({3, 3}, 0, 1, 11), "w");
    Session sess(g);
    sess.initialize();
    return w.value();
  };
  CHECK(make().to_vector<float>() == make().to_vector<float>());
}

TEST_CASE("errors name what was wrong") {
  Graph g;
  auto scope = g.as_default();
  Tensor x = placeholder(DType::Float32, {-1, 3}, "features");
  Tensor y = reduce_sum(x);
  Session sess(g);
  CHECK_THROWS_WITH_AS(sess.run(y), doctest::Contains("placeholder 'features'"), ValueError);
  CHECK_THROWS_WITH_AS(sess.run(y), doctest::Contains("must be fed"), ValueError);
  CHECK_THROWS_WITH_AS(sess.run(y, {{x, Tensor::ones({2, 4})}}),
                       doctest::Contains("expects shape (None, 3), got a tensor of shape (2, 4)"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(sess.run(y, {{x, Tensor::ones({2, 3}, DType::Float64)}}),
                       doctest::Contains("expects float32"), TypeError);
  Variable w = g.variable(Tensor::ones({3}), "weights");
  Tensor uses_w = x * w.read();
  CHECK_THROWS_WITH_AS(sess.run(uses_w, {{x, Tensor::ones({1, 3})}}),
                       doctest::Contains("variable 'weights' is used before it is initialised"),
                       StateError);
  CHECK_THROWS_WITH_AS(sess.run(y, {{y, Tensor::ones({})}}),
                       doctest::Contains("only placeholders can be fed"), ValueError);
}

TEST_CASE("kernels decode their attributes once per plan and still follow them") {
  // MatMul's transposes, ReduceSum's axes, Softmax's axis, leaky relu's alpha and Fill's value are
  // decoded when the plan is built, once per node (two products with different transposes); the
  // plan, run again with new values, must still apply them.
  Graph g;
  auto scope = g.as_default();
  Tensor x = placeholder(DType::Float32, {2, 3}, "x");
  Tensor w = placeholder(DType::Float32, {4, 3}, "w");
  Tensor y = reduce_sum(softmax(leaky_relu(matmul(x, w, false, true), 0.5), 0), {1}) +
             fill_like(reduce_sum(x, {1}), 2.0) + reduce_sum(matmul(x, x, true, false));
  Session sess(g);
  for (float scale : {1.f, -3.f}) {
    const Tensor xv = Tensor(std::vector<float>{1.f, -2.f, 3.f, 0.5f, 1.f, -1.f}, {2, 3}) * scale;
    const Tensor wv =
        Tensor::full({4, 3}, 0.25) + Tensor(std::vector<float>{0.f, 1.f, 2.f, 3.f}, {4, 1});
    const Tensor eager = reduce_sum(softmax(leaky_relu(matmul(xv, wv, false, true), 0.5), 0), {1}) +
                         2.f + reduce_sum(matmul(xv, xv, true, false));
    const Tensor got = sess.run(y, {{x, xv}, {w, wv}});
    REQUIRE(got.shape() == Shape{2});
    for (int i = 0; i < 2; ++i)
      CHECK(got.to_vector<float>()[i] == doctest::Approx(eager.to_vector<float>()[i]));
  }
  CHECK(sess.plans_built() == 1);
}

TEST_CASE("a plan reads a feed in place from aligned memory, and goes back to its own buffer") {
  Graph g;
  auto scope = g.as_default();
  Tensor x = placeholder(DType::Float32, {-1, 16}, "x");
  Tensor h = x * 2.f + 1.f;  // x's last read: later buffers may reuse its place in the arena
  for (int i = 0; i < 4; ++i) h = relu(h * 0.5f + 0.25f);
  Session sess(g);
  auto expected = [&](const Tensor& rows) { return sess.run(h, {{x, rows}}).to_vector<float>(); };
  auto as_vector = [](const TensorView& v) {
    const float* p = static_cast<const float*>(v.data);
    return std::vector<float>(p, p + v.numel());
  };
  Tensor data = Tensor::random_normal({12, 16}, 0, 1, 5);
  const std::vector<float> before = data.to_vector<float>();
  float* rows_4_to_8 = data.data<float>() + 4 * 16;  // 256 bytes in: aligned as the storage
  REQUIRE(reinterpret_cast<uintptr_t>(rows_4_to_8) % 64 == 0);
  {
    Session::PlanLease plan = sess.acquire({h, x}, {{x, Shape{4, 16}}});
    CHECK_FALSE(plan->read_feed_from(0, rows_4_to_8 + 1));  // 4 bytes off: refused
    REQUIRE(plan->read_feed_from(0, rows_4_to_8));
    plan->run();
    CHECK(as_vector(plan->fetch_view(0)) == expected(data.rows(4, 8)));
    CHECK(plan->fetch_view(1).data == rows_4_to_8);  // the feed fetched itself is the source
    CHECK(data.to_vector<float>() == before);        // only read
    for (int i = 0; i < 64; ++i) rows_4_to_8[i] = static_cast<float>(i) - 30.f;
    plan->run();
    CHECK(as_vector(plan->fetch_view(0)) == expected(data.rows(4, 8)));

    REQUIRE(plan->read_feed_from(0, nullptr));
    plan->set_feed(0, data.rows(0, 4));
    plan->run();
    CHECK(as_vector(plan->fetch_view(0)) == expected(data.rows(0, 4)));
    CHECK(plan->read_feed_from(0, rows_4_to_8));  // left pointing at `data` when given back
  }
  const int64_t built = sess.plans_built();
  Session::PlanLease again = sess.acquire({h, x}, {{x, Shape{4, 16}}});
  CHECK(sess.plans_built() == built);  // the same instance, taken back from the pool
  const Tensor other = Tensor::random_normal({4, 16}, 0, 1, 6);
  std::memcpy(again->feed_view(0).data, other.raw_data(), 4 * 16 * sizeof(float));
  again->run();
  CHECK(as_vector(again->fetch_view(0)) == expected(other));
}

TEST_CASE("lazy execution: a huge tensor costs nothing until run, then a clear error") {
  Graph g;
  auto scope = g.as_default();
  Tensor z = zeros({1000000000000, 1000000000000});  // 10^24 floats: declared, not allocated
  CHECK(z.shape() == Shape{1000000000000, 1000000000000});
  Session sess(g);
  CHECK_THROWS_WITH_AS(sess.run(z), doctest::Contains("out of memory"), OutOfMemoryError);
  Tensor big = zeros({1000000, 1000000});  // 4 TB: fits in 64 bits, not in memory
  CHECK_THROWS_WITH_AS(sess.run(big), doctest::Contains("out of memory"), OutOfMemoryError);
}

TEST_CASE("constants cannot be reassigned") {
  Graph g;
  auto scope = g.as_default();
  Tensor c = constant(Tensor({1.f}), "c");
  CHECK_THROWS_WITH_AS(assign(c, Tensor({2.f})), doctest::Contains("must be a variable"),
                       TypeError);
}

TEST_CASE("random ops draw a new stream each run, reproducibly per session") {
  auto draws = [] {
    Graph g;
    auto scope = g.as_default();
    Tensor r = random_uniform({4}, 0, 1, 123);
    Session sess(g);
    return std::make_pair(sess.run(r).to_vector<float>(), sess.run(r).to_vector<float>());
  };
  auto [first, second] = draws();
  CHECK(first != second);
  CHECK(draws().first == first);
}

TEST_CASE("group runs every grouped update once") {
  Graph g;
  auto scope = g.as_default();
  Variable a = g.variable(Tensor({0.f}), "a");
  Variable b = g.variable(Tensor({0.f}), "b");
  Tensor both = group({assign_add(a, Tensor({1.f})), assign_add(b, Tensor({2.f}))});
  Session sess(g);
  sess.initialize();
  sess.run(both);
  sess.run(both);
  CHECK(a.value().item<float>() == 2.f);
  CHECK(b.value().item<float>() == 4.f);
  CHECK_FALSE(group({}).defined());
}

TEST_CASE("independent products of similar cost run side by side, each whole on one thread") {
  const int threads_before = num_threads();
  set_num_threads(2);
  Graph g;
  auto scope = g.as_default();
  // A Dense layer's backward pass: dW = xᵀ·dy and dx = dy·Wᵀ (equal cost, independent), after
  // an element-wise op whose output only the first product reads (its buffer must stay intact
  // while the second product writes its own), and a chain of dependent products.
  const Tensor x0 = Tensor::random_uniform({64, 96}, -1, 1, 1);
  const Tensor dy0 = Tensor::random_uniform({64, 80}, -1, 1, 2);
  const Tensor w0 = Tensor::random_uniform({96, 80}, -1, 1, 3);
  Tensor x = placeholder(DType::Float32, {64, 96}, "x");
  Tensor dy = placeholder(DType::Float32, {64, 80}, "dy");
  Variable w = g.variable(w0, "w");
  Tensor x2 = x * 2.f;
  Tensor dw = matmul(x2, dy, true, false);
  Tensor dx = matmul(dy, w.read(), false, true);
  Tensor chained = matmul(matmul(x, w.read()), w.read(), false, true);  // dependent: in turn
  Tensor tiny = matmul(dy, Tensor::ones({80, 1}));                      // 64x cheaper: in turn
  Tensor tiny2 = matmul(dy, Tensor::full({80, 1}, 2));  // as cheap, but too small to hand off
  Session sess(g);
  sess.initialize();
  Session::PlanLease plan =
      sess.acquire({dw, dx, chained, tiny, tiny2}, {{x, Shape{64, 96}}, {dy, Shape{64, 80}}});
  const auto& steps = plan->executed_nodes();
  int pairs = 0;
  for (size_t i = 0; i + 1 < steps.size(); ++i) {
    if (!plan->beside_next(static_cast<int>(i))) continue;
    ++pairs;
    const std::set<const Node*> pair{steps[i], steps[i + 1]};
    CHECK(pair == std::set<const Node*>{dw.node(), dx.node()});
  }
  CHECK(pairs == 1);

  const Tensor want_dw = matmul(x0 * 2.f, dy0, true, false);
  const Tensor want_dx = matmul(dy0, w0, false, true);
  const Tensor want_chained = matmul(matmul(x0, w0), w0, false, true);
  auto max_abs_diff = [](const Tensor& a, const Tensor& b) {
    return reduce_max(abs(a - b)).item<float>();
  };
  for (int run = 0; run < 20; ++run) {  // side by side on two threads, many times
    const TensorList out = sess.run({dw, dx, chained, tiny, tiny2}, {{x, x0}, {dy, dy0}});
    CHECK(max_abs_diff(out[0], want_dw) < 1e-4);
    CHECK(max_abs_diff(out[1], want_dx) < 1e-4);
    CHECK(max_abs_diff(out[2], want_chained) < 1e-3);
  }
  set_num_threads(threads_before);
}
