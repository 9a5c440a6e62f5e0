// The first three updates of every optimizer against values worked out by hand from the
// formulas in their headers (and checked against Keras 3), eagerly and in graph mode; clipping
// and weight decay.
#include <functional>

#include "optimizer_steps.h"
#include "optimizers/adagrad.h"
#include "optimizers/adam.h"
#include "optimizers/adamw.h"
#include "optimizers/nadam.h"
#include "optimizers/rmsprop.h"
#include "optimizers/sgd.h"

using namespace nabla;
using namespace nabla::testing;

namespace {

struct Case {
  const char* name;
  std::function<OptimizerPtr()> make;
  Rows expected;  // w after steps 1, 2, 3 (learning rate 0.01, w0 and grads of optimizer_steps.h)
};

template <class O, class... Args>
std::function<OptimizerPtr()> make(Args... args) {
  return [=] { return std::make_shared<O>(args...); };
}

const std::vector<Case> kCases{
    {"SGD",
     make<SGD>(0.01),
     {{0.999, -1.998, 2.997}, {1.004, -2.002, 2.9969}, {1.002, -2.002, 2.9969}}},
    {"SGD momentum",
     make<SGD>(SGDOptions(0.01).momentum(0.9)),
     {{0.999, -1.998, 2.997}, {1.0031, -2.0002, 2.9942}, {1.00479, -2.00218, 2.99168}}},
    {"SGD nesterov",
     make<SGD>(SGDOptions(0.01).momentum(0.9).nesterov(true)),
     {{0.9981, -1.9962, 2.9943}, {1.00679, -2.00218, 2.99168}, {1.006311, -2.003962, 2.989412}}},
    {"SGD weight_decay",
     make<SGD>(SGDOptions(0.01).weight_decay(0.5)),
     {{0.994, -1.988, 2.982}, {0.99403, -1.98206, 2.96699}, {0.98705985, -1.9721497, 2.95215505}}},
    {"Adam",
     make<Adam>(0.01),
     {{0.990000316, -1.99000016, 2.99000011},
      {0.995983821, -1.99366117, 2.98305529},
      {0.997955759, -1.99649114, 2.97768692}}},
    {"Adam amsgrad",
     make<Adam>(AdamOptions(0.01).amsgrad(true)),
     {{0.990000316, -1.99000016, 2.99000011},
      {0.995983821, -1.99366117, 2.98305529},
      {0.997955759, -1.99648972, 2.97768961}}},
    {"AdamW",
     make<AdamW>(0.01),
     {{0.989960316, -1.98992016, 2.98988011},
      {0.995904223, -1.99350157, 2.98281569},
      {0.997836324, -1.9962518, 2.97732802}}},
    {"RMSprop",
     make<RMSprop>(0.01),
     {{0.968378804, -1.96837762, 2.9683774},
      {0.999447233, -1.99694897, 2.96726698},
      {0.987344921, -1.99694897, 2.96726698}}},
    {"RMSprop momentum centered",
     make<RMSprop>(RMSpropOptions(0.01).momentum(0.9).centered(true)),
     {{0.966668518, -1.96666713, 2.96666687},
      {0.968798726, -1.96559834, 2.93549873},
      {0.958549817, -1.96463643, 2.90744741}}},
    {"RMSprop centered",
     make<RMSprop>(RMSpropOptions(0.01).centered(true)),
     {{0.966668518, -1.96666713, 2.96666687},
      {0.998797059, -1.99559792, 2.96549855},
      {0.986630963, -1.99559792, 2.96549855}}},
    {"Adagrad",
     make<Adagrad>(0.01),
     {{0.996984888, -1.99465478, 2.99311753},
      {1.00531822, -2.00195774, 2.99288817},
      {1.00215594, -2.00195774, 2.99288817}}},
    {"Nadam",
     make<Nadam>(0.01),
     {{0.989372133, -1.98937213, 2.98937213},
      {0.999249285, -1.99818878, 2.98831086},
      {0.995987785, -1.9986108, 2.9875103}}},
};

}  // namespace

TEST_CASE("each optimizer's first three updates follow its formula, eagerly and in a graph") {
  for (const Case& c : kCases) {
    INFO(std::string(c.name));
    OptimizerPtr eager = c.make();
    check_rows(eager_steps(*eager), c.expected);
    CHECK(eager->iterations_value() == 3);
    OptimizerPtr graph = c.make();
    check_rows(graph_steps(*graph), c.expected);
    CHECK(graph->iterations_value() == 3);
  }
}

TEST_CASE("clipnorm scales each gradient down to the norm, and leaves small ones alone") {
  SGD opt(SGDOptions(1.0).clipnorm(1.0));
  check_rows(eager_steps(opt, {0, 0, 0}, {{3, -4, 0}}), {{-0.6, 0.8, 0}});
  SGD graph_opt(SGDOptions(1.0).clipnorm(1.0));
  check_rows(graph_steps(graph_opt, {0, 0, 0}, {{3, -4, 0}}), {{-0.6, 0.8, 0}});
  SGD small(SGDOptions(1.0).clipnorm(1.0));
  check_rows(eager_steps(small, {0, 0, 0}, {{0.3f, -0.4f, 0}}), {{-0.3, 0.4, 0}});
}

TEST_CASE("clipvalue clips each element") {
  SGD opt(SGDOptions(1.0).clipvalue(2.5));
  check_rows(eager_steps(opt, {0, 0, 0}, {{3, -4, 1}}), {{-2.5, 2.5, -1}});
  SGD graph_opt(SGDOptions(1.0).clipvalue(2.5));
  check_rows(graph_steps(graph_opt, {0, 0, 0}, {{3, -4, 1}}), {{-2.5, 2.5, -1}});
}

TEST_CASE("global_clipnorm scales all gradients by one factor") {
  // Joint norm of [3, 4] and [12] is 13; clipped to 6.5 every gradient halves.
  for (bool graph_mode : {false, true}) {
    INFO("graph mode " << graph_mode);
    Graph graph;
    auto scope = graph.as_default();
    SGD opt(SGDOptions(1.0).global_clipnorm(6.5));
    Variable a(Tensor({0.f, 0.f}), "a"), b(Tensor({0.f}), "b");
    Tensor ga({3.f, 4.f}), gb({12.f});
    if (graph_mode) {
      Tensor loss = reduce_sum(a.read() * constant(ga)) + reduce_sum(b.read() * constant(gb));
      Tensor step = opt.minimize(loss, {a, b});
      Session(graph).run(step);
    } else {
      opt.apply_gradients({ga, gb}, {a, b});
    }
    check_rows({values(a), values(b)}, {{-1.5, -2}, {-6}});
  }
}

TEST_CASE("only one clipping argument may be set") {
  CHECK_THROWS_WITH_AS(SGD(SGDOptions().clipnorm(1).clipvalue(1)),
                       doctest::Contains("only one of clipnorm, clipvalue and global_clipnorm"),
                       ValueError);
}

TEST_CASE("apply_gradients skips undefined gradients and rejects ones that do not fit") {
  Adam opt;
  Variable w(Tensor({1.f, 2.f, 3.f}), "dense/kernel"), b(Tensor({0.f}), "dense/bias");
  opt.apply_gradients({Tensor(), Tensor({1.f})}, {w, b});
  CHECK(w.value().to_vector<float>() == std::vector<float>{1, 2, 3});
  CHECK(b.value().item<float>() == doctest::Approx(-0.001));
  CHECK(opt.variables().size() == 3);  // no slots for the variable without a gradient

  CHECK_THROWS_WITH_AS(opt.apply_gradients({Tensor({1.f})}, {w, b}),
                       doctest::Contains("1 gradients for 2 variables"), ValueError);
  CHECK_THROWS_WITH_AS(opt.apply_gradients({Tensor::ones({2, 3}), Tensor({1.f})}, {w, b}),
                       doctest::Contains("variable 'dense/kernel' (#0) has shape (2, 3) but the "
                                         "variable has shape (3,)"),
                       ValueError);
  CHECK_THROWS_WITH_AS(opt.apply_gradients({Tensor(), Tensor()}, {w, b}),
                       doctest::Contains("no gradient for any of the 2 variables"), ValueError);
  CHECK_THROWS_WITH_AS(opt.minimize(Tensor(1.f), {w}), doctest::Contains("symbolic loss"),
                       ValueError);
  CHECK(opt.iterations_value() == 1);  // failed calls do not count
}

TEST_CASE("float64 variables are updated with the same formulas") {
  for (bool graph_mode : {false, true}) {
    INFO("graph mode " << graph_mode);
    Graph graph;
    auto scope = graph.as_default();
    Nadam opt(0.01);
    Variable w(Tensor::from_vector<double>({1, -2, 3}, {3}), "w");
    for (const auto& g : kGrads) {
      const Tensor grad = cast(Tensor(g, {3}), DType::Float64);
      if (graph_mode)
        Session(graph).run(opt.minimize(reduce_sum(w.read() * constant(grad)), {w}));
      else
        opt.apply_gradients({grad}, {w});
    }
    CHECK(w.dtype() == DType::Float64);
    check_rows({values(w)}, {kCases.back().expected.back()});
  }
}

TEST_CASE("graph-mode training of several variables matches eager training") {
  // Computed gradients (not fed ones) must survive until their update runs.
  auto train = [](bool graph_mode) {
    Graph graph;
    auto scope = graph.as_default();
    VariableList ws;
    for (int i = 0; i < 5; ++i)
      ws.emplace_back(Tensor::random_normal({4}, 0, 1, i + 1), "w" + std::to_string(i));
    auto loss_of = [](TensorList r) {
      Tensor h = r[0];
      for (size_t i = 1; i < r.size(); ++i) h = tanh(h * r[i] + r[i - 1]);
      return reduce_sum(square(h));
    };
    Nadam opt(NadamOptions(0.1).clipnorm(0.5));
    TensorList r = reads(ws);
    Tensor step;
    if (graph_mode) r[0] = r[0] * constant(Tensor::ones({4})), step = opt.minimize(loss_of(r), ws);
    for (int k = 0; k < 3; ++k) {
      if (graph_mode) {
        Session(graph).run(step);
      } else {
        GradientTape tape;
        opt.apply_gradients(tape.gradient(loss_of(reads(ws)), ws), ws);
      }
    }
    Rows out;
    for (const Variable& w : ws) out.push_back(values(w));
    return out;
  };
  check_rows(train(true), train(false), 1e-5);
}

TEST_CASE("optimizers of one kind with different attributes, stepped alternately, stay apart") {
  // The CPU update kernel reuses a step's scalars across variables; two optimizers at the same
  // step number and learning rate must still each get their own.
  auto alternate = [](Optimizer& a, Optimizer& b) {
    Variable wa(Tensor(kW0, {3}), "wa"), wb(Tensor(kW0, {3}), "wb");
    Rows ra, rb;
    for (const auto& g : kGrads) {
      a.apply_gradients({Tensor(g, {3})}, {wa});
      b.apply_gradients({Tensor(g, {3})}, {wb});
      ra.push_back(values(wa));
      rb.push_back(values(wb));
    }
    return std::pair{ra, rb};
  };
  Adam adam(0.01), slow(AdamOptions(0.01).beta_1(0.5).beta_2(0.9));
  Adam slow_alone(AdamOptions(0.01).beta_1(0.5).beta_2(0.9));
  const auto [adam_rows, slow_rows] = alternate(adam, slow);
  check_rows(adam_rows, kCases[4].expected);  // "Adam"
  check_rows(slow_rows, eager_steps(slow_alone));
  CHECK(std::abs(slow_rows[1][0] - adam_rows[1][0]) > 1e-3);

  Nadam nadam(0.01), other(NadamOptions(0.01).epsilon(0.5));
  Nadam other_alone(NadamOptions(0.01).epsilon(0.5));
  const auto [nadam_rows, other_rows] = alternate(nadam, other);
  check_rows(nadam_rows, kCases.back().expected);  // "Nadam"
  check_rows(other_rows, eager_steps(other_alone));
}
