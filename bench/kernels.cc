#include "kernels.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <functional>
#include <vector>

#include <nabla/nabla.h>

#include "framework/runtime/plan.h"
#include "harness.h"

namespace nabla::bench {
namespace {

// Seconds of one run of the plan computing `out` from placeholders fed with `values`: the median
// of five samples, each the median of many runs (`best`: the fastest of the five samples).
double time_plan(Graph& g, const TensorList& fetches, const FeedDict& feeds, bool quick,
                 bool best = false) {
  Session sess(g);
  std::vector<std::pair<Tensor, Shape>> shapes;
  for (const auto& [ph, v] : feeds) shapes.emplace_back(ph, v.shape());
  Session::PlanLease lease = sess.acquire(fetches, shapes);
  Plan& plan = *lease;
  for (size_t i = 0; i < feeds.size(); ++i) plan.set_feed(static_cast<int>(i), feeds[i].second);
  // Enough repetitions for a few hundred milliseconds in all.
  const auto once = time_runs([&] { plan.run(); }, 3);
  const int reps = std::max(
      5, std::min(2000, static_cast<int>((quick ? 0.1 : 0.3) / std::max(1e-7, median(once)))));
  std::vector<double> t;
  for (int k = 0; k < 5; ++k) t.push_back(median(time_runs([&] { plan.run(); }, reps / 5 + 1, 0)));
  return best ? *std::min_element(t.begin(), t.end()) : median(t);
}

double matmul_seconds(int64_t m, int64_t k, int64_t n, bool ta, bool tb, bool quick,
                      bool best = false) {
  Graph g;
  auto scope = g.as_default();
  const Shape sa = ta ? Shape{k, m} : Shape{m, k}, sb = tb ? Shape{n, k} : Shape{k, n};
  Tensor a = placeholder(DType::Float32, sa), b = placeholder(DType::Float32, sb);
  return time_plan(
      g, {matmul(a, b, ta, tb)},
      {{a, Tensor::random_uniform(sa, -1, 1, 1)}, {b, Tensor::random_uniform(sb, -1, 1, 2)}}, quick,
      best);
}

void row(const char* name, double seconds, double amount, const char* unit) {
  std::printf("%-44s %9.1f us %10.1f %s\n", name, seconds * 1e6, amount / seconds / 1e9, unit);
}

}  // namespace

double measure_copy_bandwidth(bool quick) {
  // A copy far larger than the caches: bytes read plus bytes written per second.
  const size_t n = size_t{1} << 26;  // 64 Mi floats each way
  std::vector<float> a(n, 1.0f), b(n);
  const double s = median(time_runs(
      [&] {
        std::memcpy(b.data(), a.data(), n * sizeof(float));
        keep(b);
      },
      quick ? 3 : 7));
  return 2.0 * n * sizeof(float) / s / 1e9;
}

double measure_sgemm_peak(bool quick) {
  // A peak is what the machine reaches undisturbed: the best sample, not the median, so that a
  // neighbour's burst during this one measurement does not inflate every percentage after it.
  return 2.0 * 1024 * 1024 * 1024 /
         matmul_seconds(1024, 1024, 1024, false, false, quick, /*best=*/true) / 1e9;
}

void run_kernels(bool quick, double peak) {
  const double bandwidth = measure_copy_bandwidth(quick);
  std::printf(
      "\n== hot kernels at the workload's shapes (%d threads; measured peaks: sgemm %.1f GFLOP/s, "
      "memory copy %.1f GB/s) ==\n",
      num_threads(), peak, bandwidth);
  auto mm = [&](const char* name, int64_t m, int64_t k, int64_t n, bool ta, bool tb) {
    row(name, matmul_seconds(m, k, n, ta, tb, quick), 2.0 * m * k * n, "GFLOP/s");
  };
  mm("matmul x.W1        128x784 . 784x256", 128, 784, 256, false, false);
  mm("matmul x^T.dh1     (784x128)^T... -> 784x256", 784, 128, 256, true, false);
  mm("matmul dh2.W2^T    128x128 . (256x128)^T", 128, 128, 256, false, true);
  mm("matmul h1.W2       128x256 . 256x128", 128, 256, 128, false, false);
  {
    Graph g;
    auto scope = g.as_default();
    Tensor x = placeholder(DType::Float32, {128, 256}), b = placeholder(DType::Float32, {256});
    const double s = time_plan(
        g, {relu(bias_add(x, b))},
        {{x, Tensor::random_uniform({128, 256}, -1, 1, 1)}, {b, Tensor::zeros({256})}}, quick);
    row("bias + relu        128x256", s, 3.0 * 128 * 256 * 4, "GB/s");
  }
  {
    Graph g;
    auto scope = g.as_default();
    Tensor z = placeholder(DType::Float32, {1024, 10}), y = placeholder(DType::Int32, {1024});
    Tensor loss = reduce_mean(sparse_softmax_cross_entropy_with_logits(y, z));
    Tensor grad = gradients(loss, {z})[0];
    const double s =
        time_plan(g, {loss, grad},
                  {{z, Tensor::random_uniform({1024, 10}, -3, 3, 1)},
                   {y, cast(floor(Tensor::random_uniform({1024}, 0, 10, 2)), DType::Int32)}},
                  quick);
    row("softmax cross-entropy + grad 1024x10", s, (2.0 * 1024 * 10 + 1024) * 4, "GB/s");
  }
  {
    Graph g;
    auto scope = g.as_default();
    Variable w(Tensor::random_uniform({784, 256}, -1, 1, 1), "w");
    Tensor grad = placeholder(DType::Float32, {784, 256});
    Adam adam(1e-3);
    Tensor update = adam.apply_gradients({grad}, {w});
    const double s =
        time_plan(g, {update}, {{grad, Tensor::random_uniform({784, 256}, -1, 1, 3)}}, quick);
    row("Adam update        784x256 (w, m, v, g)", s, 7.0 * 784 * 256 * 4, "GB/s");
  }
}

}  // namespace nabla::bench
