// Shared by the optimizer tests: three steps of an optimizer on one small variable with fixed
// gradients, eagerly and through a Session. The expected values come from
// scripts/keras/optimizer_reference.py (formulas in plain floats, checked against Keras 3).
#pragma once

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "framework/nabla.h"
#include "optimizers/optimizer.h"

namespace nabla::testing {

using Rows = std::vector<std::vector<double>>;

inline const std::vector<float> kW0{1.f, -2.f, 3.f};
inline const std::vector<std::vector<float>> kGrads{
    {0.1f, -0.2f, 0.3f}, {-0.5f, 0.4f, 0.01f}, {0.2f, 0.f, 0.f}};

inline std::vector<double> values(const Variable& v) {
  return v.value().to_vector<double>();
}

/// The variable after each eager apply_gradients of `grads`, starting from `w0`.
inline Rows eager_steps(Optimizer& opt, const std::vector<float>& w0 = kW0,
                        const std::vector<std::vector<float>>& grads = kGrads) {
  Variable w(Tensor(w0, {static_cast<int64_t>(w0.size())}), "w");
  Rows out;
  for (const auto& g : grads) {
    CHECK_FALSE(opt.apply_gradients({Tensor(g, w.shape())}, {w}).defined());
    out.push_back(values(w));
  }
  return out;
}

/// The same in graph mode: the gradient of sum(w * g), with g fed each run, is g.
inline Rows graph_steps(Optimizer& opt, const std::vector<float>& w0 = kW0,
                        const std::vector<std::vector<float>>& grads = kGrads) {
  Graph graph;
  auto scope = graph.as_default();
  Variable w(Tensor(w0, {static_cast<int64_t>(w0.size())}), "w");
  Tensor g = placeholder(DType::Float32, w.shape(), "g");
  Tensor train = opt.minimize(reduce_sum(w.read() * g), {w});
  REQUIRE(train.is_symbolic());
  Session sess(graph);
  Rows out;
  for (const auto& gv : grads) {
    opt.prepare_step();
    sess.run(train, {{g, Tensor(gv, w.shape())}});
    out.push_back(values(w));
  }
  return out;
}

inline void check_rows(const Rows& got, const Rows& want, double tol = 1e-6) {
  REQUIRE(got.size() == want.size());
  for (size_t step = 0; step < want.size(); ++step) {
    REQUIRE(got[step].size() == want[step].size());
    for (size_t i = 0; i < want[step].size(); ++i) {
      INFO("step " << step + 1 << ", element " << i << ": " << got[step][i] << " vs "
                   << want[step][i]);
      CHECK(std::abs(got[step][i] - want[step][i]) <= tol);
    }
  }
}

}  // namespace nabla::testing
