// NCCL between GPUs, one per rank: CTest runs it alone (test_nccl_single: a world of one GPU,
// which still goes through NCCL's set-up, streams and joins) and as `mpirun -np 2 test_nccl`
// (two GPUs). Where a rank has no GPU, or the build has no NCCL, every rank says why and exits
// with 77 (CTest: skipped).
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "framework/backend/backend.h"  // device_available
#include "framework/distributed/bucketed_all_reduce.h"
#include "framework/distributed/device_communicator.h"
#include "framework/distributed/distributed.h"
#include "framework/nabla.h"

using namespace nabla;
namespace dist = nabla::distributed;

namespace {

Device my_gpu() {
  return Device::CUDA(dist::local_rank());
}

// `n` floats: rank r's value of element i.
std::vector<float> values_of(int rank, int64_t n) {
  std::vector<float> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[i] = static_cast<float>(i % 13) + static_cast<float>(rank);
  return v;
}

// Their mean over the ranks of the world.
std::vector<float> mean_of(int64_t n) {
  std::vector<float> sum(static_cast<size_t>(n), 0.f);
  for (int r = 0; r < dist::world_size(); ++r) {
    const std::vector<float> v = values_of(r, n);
    for (int64_t i = 0; i < n; ++i) sum[i] += v[i];
  }
  for (float& x : sum) x /= static_cast<float>(dist::world_size());
  return sum;
}

}  // namespace

TEST_CASE("the device communicator is NCCL on this rank's GPU") {
  dist::DeviceCommunicator* dev = dist::device_communicator(my_gpu());
  REQUIRE(dev != nullptr);
  CHECK(dev->name().rfind("nccl ", 0) == 0);
  CHECK(dev->device() == my_gpu());
}

TEST_CASE("all_reduce and broadcast of GPU tensors") {
  const int r = dist::rank(), w = dist::world_size();
  TensorList ts{Tensor::from_vector(values_of(r, 1000), {1000}).to(my_gpu()),
                Tensor::full({7}, 1.0 + r, DType::Float64, my_gpu())};
  dist::all_reduce(ts, dist::Reduce::Sum);
  std::vector<float> sum = mean_of(1000);
  for (float& x : sum) x *= static_cast<float>(w);
  CHECK(ts[0].to_vector<float>() == sum);
  CHECK(ts[1].to_vector<double>() == std::vector<double>(7, w * (w + 1) / 2.0));

  TensorList avg{Tensor::from_vector(values_of(r, 33), {33}).to(my_gpu())};
  dist::all_reduce(avg);
  CHECK(avg[0].to_vector<float>() == mean_of(33));

  TensorList b{Tensor::full({5}, 10.0 * (r + 1), DType::Float32, my_gpu())};
  dist::broadcast(b, 0);
  CHECK(b[0].to_vector<float>() == std::vector<float>(5, 10.f));
}

TEST_CASE("bucketed all-reduce of GPU buffers, through NCCL and through host memory") {
  const std::vector<int64_t> counts{5, 1001, 3, 77, 4096, 1, 250};
  int64_t total = 0;
  for (int64_t c : counts) total += c;
  for (const bool nccl : {true, false}) {
    CAPTURE(nccl);
    Tensor arena = Tensor::zeros({total}, DType::Float32, my_gpu());
    Tensor apart = Tensor::zeros({counts[2]}, DType::Float32, my_gpu());  // a packed bucket
    std::vector<dist::GradientBuffer> buffers;
    char* p = static_cast<char*>(arena.raw_data());
    for (size_t i = 0; i < counts.size(); ++i) {
      buffers.push_back({i == 2 ? apart.raw_data() : p, counts[i], DType::Float32});
      p += counts[i] * 4;
    }
    dist::BucketedAllReduce reducer(dist::world(), buffers,
                                    dist::BucketOptions().bucket_bytes(4096).device(my_gpu()),
                                    nccl ? dist::device_communicator(my_gpu()) : nullptr);
    CHECK(reducer.num_buckets() > 2);
    for (int step = 0; step < 2; ++step) {
      std::vector<float> host = values_of(dist::rank() + step, total);
      copy_bytes(arena.raw_data(), my_gpu(), host.data(), Device::CPU, host.size() * 4);
      copy_bytes(apart.raw_data(), my_gpu(), host.data(), Device::CPU, counts[2] * 4);
      for (int i = reducer.num_buffers() - 1; i >= 0; --i) reducer.ready(i);
      reducer.wait_all();
      std::vector<float> expected = mean_of(total);
      for (float& x : expected) x += static_cast<float>(step);
      CHECK(arena.to_vector<float>() == expected);
      std::vector<float> head(expected.begin(), expected.begin() + counts[2]);
      CHECK(apart.to_vector<float>() == head);
    }
  }
}

int main(int argc, char** argv) {
  // Every rank learns whether every rank has a GPU before anything collective on GPUs.
  std::string reason;
  const bool mine = device_available(my_gpu(), &reason);
  const std::vector<std::string> reasons = dist::world().all_gather(mine ? "" : reason);
  for (size_t r = 0; r < reasons.size(); ++r) {
    if (reasons[r].empty()) continue;
    if (dist::is_chief())
      std::printf("[test_nccl] skipped: rank %zu of %d has no GPU: %s\n", r, dist::world_size(),
                  reasons[r].c_str());
    return 77;
  }
  if (!dist::device_communicator(my_gpu(), &reason)) {  // the same answer on every rank
#ifdef NABLA_EXPECT_NCCL
    // The CUDA backend was built with NCCL, so this is a failure, not a missing feature.
    if (dist::is_chief())
      std::printf("test_nccl: built with NCCL, yet no device communicator: %s\n", reason.c_str());
    return 1;
#endif
    if (dist::is_chief()) std::printf("[test_nccl] skipped: %s\n", reason.c_str());
    return 77;
  }
  doctest::Context context(argc, argv);
  context.setOption("no-colors", true);
  if (dist::rank() != 0) context.setOption("minimal", true);
  const int result = context.run();
  if (context.shouldExit()) return result;
  int64_t failed = result != 0 ? 1 : 0;
  dist::world().all_reduce_sum(&failed, 1);
  return failed ? 1 : 0;
}
