// Every op on CUDA against the CPU, on the op table's random inputs: eager values (float32 and
// float64), graph-mode values and gradients through a Session on each device, plans replayed
// with new feeds (CUDA Graph replays), random ops, and errors kernels find in the data.
#include <set>

#include "cuda_test_util.h"
#include "op_cases.h"

using namespace nabla;
using namespace nabla::testing;

namespace {

constexpr double kTolerance = 1e-5;

TensorList to_device(const TensorList& x, Device device) {
  TensorList out;
  for (const Tensor& t : x) out.push_back(t.to(device));
  return out;
}

// The loss sum(op(x) * w), its value and its gradients for every float input, computed in a
// graph through a Session on `device`.
TensorList graph_values_and_gradients(const OpCase& c, const TensorList& x, const Tensor& w,
                                      Device device) {
  Graph g;
  auto scope = g.as_default();
  const auto [phs, feeds] = graph_inputs(c, x);
  TensorList sources;
  for (const Tensor& p : phs)
    if (is_floating(p.dtype())) sources.push_back(p);
  const Tensor out = c.build(phs);
  TensorList fetches{out};
  if (c.differentiable) {
    const Tensor loss = reduce_sum(out * w);
    fetches.push_back(loss);
    for (const Tensor& grad : gradients(loss, sources))
      if (grad.defined()) fetches.push_back(grad);
  }
  return Session(g, device).run(fetches, feeds);
}

}  // namespace

CUDA_TEST_CASE("the CUDA backend has a kernel for every op the CPU backend has") {
  std::set<std::string> missing;
  for (OpId op : backend_for(Device::CPU).kernel_ops())
    if (!backend_for(kGpu).has_kernel(op)) missing.insert(op.name());
  CHECK(missing.empty());
  for (const std::string& op : missing) MESSAGE("no CUDA kernel: " << op);
}

CUDA_TEST_CASE("every op's eager value on CUDA matches the CPU (float32 and float64)") {
  for (DType dtype : {DType::Float32, DType::Float64}) {
    for (const OpCase& c : op_cases(dtype)) {
      CAPTURE(c.name);
      CAPTURE(dtype_name(dtype));
      const TensorList x = make_inputs(c, 5);
      const Tensor cpu = c.build(x);
      const Tensor gpu = c.build(to_device(x, kGpu));
      CHECK(gpu.device() == kGpu);
      CHECK(max_rel_diff(gpu.to(Device::CPU), cpu) <= kTolerance);
    }
  }
}

CUDA_TEST_CASE("every op's value and gradients in a CUDA session match a CPU session") {
  for (const OpCase& c : op_cases(DType::Float32)) {
    CAPTURE(c.name);
    const TensorList x = make_inputs(c, 11);
    const Tensor value = c.build(x);
    const Tensor w = c.differentiable
                         ? Tensor::random_uniform(value.shape(), -1, 1, 99, value.dtype())
                         : Tensor();
    const TensorList cpu = graph_values_and_gradients(c, x, w, Device::CPU);
    const TensorList gpu = graph_values_and_gradients(c, x, w, kGpu);
    REQUIRE(gpu.size() == cpu.size());
    for (size_t i = 0; i < cpu.size(); ++i) {
      CAPTURE(i);  // 0: the op's value, 1: the loss, then one gradient per float input
      CHECK(max_rel_diff(gpu[i], cpu[i]) <= kTolerance);
    }
  }
}

CUDA_TEST_CASE("a replayed plan sees each run's feeds") {
  Graph g;
  auto scope = g.as_default();
  Tensor x = placeholder(DType::Float32, {-1, 16}, "x");
  Tensor w = Tensor::random_uniform({16, 8}, -1, 1, 3);
  Tensor y = reduce_mean(softmax(relu(matmul(x, w)) * 2.f), {0});
  Session cpu(g), gpu(g, kGpu);
  for (int run = 0; run < 5; ++run) {  // run 1 captures, runs 2.. replay
    CAPTURE(run);
    const Tensor feed = Tensor::random_uniform({32, 16}, -1, 1, 100 + run);
    CHECK(max_rel_diff(gpu.run(y, {{x, feed}}), cpu.run(y, {{x, feed}})) <= kTolerance);
  }
}

CUDA_TEST_CASE("random ops draw the CPU's values on CUDA") {
  Graph g;
  auto scope = g.as_default();
  Tensor step = placeholder(DType::Int64, {}, "step");
  Tensor x = placeholder(DType::Float32, {64, 32}, "x");
  Tensor dropped = dropout(x, 0.3, 7, step);
  Tensor uniform = random_uniform({1000}, -1, 3, 42);
  Tensor normal = random_normal({256}, 1.0, 2.0, 9);
  Session cpu(g), gpu(g, kGpu);
  const Tensor ones = Tensor::ones({64, 32});
  for (int64_t s = 0; s < 4; ++s) {  // a mask with a step input: captured, then replayed
    CAPTURE(s);
    const FeedDict feeds{{x, ones}, {step, Tensor::scalar(static_cast<double>(s), DType::Int64)}};
    CHECK(max_rel_diff(gpu.run(dropped, feeds), cpu.run(dropped, feeds)) == 0.0);
  }
  for (int run = 0; run < 3; ++run) {  // the host run counter: plain launches
    CAPTURE(run);
    CHECK(max_rel_diff(gpu.run(uniform), cpu.run(uniform)) <= 1e-7);
    CHECK(max_rel_diff(gpu.run(normal), cpu.run(normal)) <= 1e-6);
  }
}

CUDA_TEST_CASE("an index or label out of range is a ValueError on CUDA too") {
  const Tensor params = Tensor::random_uniform({5, 3}, -1, 1, 1).to(kGpu);
  const Tensor bad = Tensor::from_vector(std::vector<int64_t>{0, 7}, Shape{2}).to(kGpu);
  CHECK_THROWS_AS(gather(params, bad).to(Device::CPU), ValueError);
  const Tensor logits = Tensor::random_uniform({2, 4}, -1, 1, 2).to(kGpu);
  CHECK_THROWS_AS(sparse_softmax_cross_entropy_with_logits(bad, logits).to(Device::CPU),
                  ValueError);
  // The device is usable afterwards.
  const Tensor good = Tensor::from_vector(std::vector<int64_t>{4, 0}, Shape{2}).to(kGpu);
  CHECK(max_rel_diff(gather(params, good).to(Device::CPU),
                     gather(params.to(Device::CPU), good.to(Device::CPU))) == 0.0);
}
