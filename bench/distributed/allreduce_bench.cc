// All-reduce time and bandwidth against message size, between the ranks of an MPI job:
//
//     mpirun -np 2 build/bench/distributed/nabla_allreduce_bench [--max-mib 256] [--device cuda]
//
// For each size: the median time of one in-place float32 sum all-reduce (the slowest rank's
// time per round of repetitions), the algorithm bandwidth (bytes / time) and the bus bandwidth
// (algorithm bandwidth x 2(n-1)/n: what each rank's link carries in a ring all-reduce, as NCCL's
// tests report it), and the bytes each rank sends. Then one training step's gradient all-reduce
// through BucketedAllReduce for the reference MLP (784-256-128-10) and a larger MLP, bucketed at
// NABLA_BUCKET_BYTES (default 4 MiB). Only rank 0 prints.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <nabla/nabla.h>

#include "framework/distributed/bucketed_all_reduce.h"
#include "framework/distributed/device_communicator.h"
#include "framework/distributed/distributed.h"
#include "framework/distributed/launch.h"
#include "framework/distributed/mpi_communicator.h"

using namespace nabla;
namespace dist = nabla::distributed;
using Clock = std::chrono::steady_clock;

namespace {

struct Args {
  double max_mib = 256;
  Device device = Device::CPU;
};

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--max-mib" && i + 1 < argc) {
      a.max_mib = std::stod(argv[++i]);
    } else if (arg == "--device" && i + 1 < argc) {
      a.device = Device::parse(argv[++i]);
    } else {
      std::fprintf(stderr,
                   "usage: mpirun -np N nabla_allreduce_bench [--max-mib M] [--device cpu|cuda]\n");
      std::exit(2);
    }
  }
  return a;
}

// Median over rounds of the slowest rank's seconds per call of `op`; about 0.3 s per size.
template <class F>
double time_per_call(F&& op) {
  op();  // warm up (first use of the buffers, MPI's connections)
  dist::barrier();
  const auto t0 = Clock::now();
  op();
  // The ranks' mean time of one call decides the repetitions, so every rank makes as many calls.
  double once = std::chrono::duration<double>(Clock::now() - t0).count();
  dist::world().all_reduce(&once, 1, DType::Float64, dist::Reduce::Average);
  const int reps = std::clamp(static_cast<int>(0.05 / std::max(once, 1e-7)), 1, 1000);
  std::vector<double> rounds;
  for (int round = 0; round < 5; ++round) {
    dist::barrier();
    const auto start = Clock::now();
    for (int i = 0; i < reps; ++i) op();
    double seconds = std::chrono::duration<double>(Clock::now() - start).count() / reps;
    std::vector<std::string> all = dist::world().all_gather(std::to_string(seconds));
    for (const std::string& s : all) seconds = std::max(seconds, std::stod(s));
    rounds.push_back(seconds);
  }
  std::sort(rounds.begin(), rounds.end());
  return rounds[rounds.size() / 2];
}

std::string bytes_text(double b) {
  char out[32];
  if (b >= 1 << 20)
    std::snprintf(out, sizeof out, "%.1f MiB", b / (1 << 20));
  else if (b >= 1024)
    std::snprintf(out, sizeof out, "%.1f KiB", b / 1024);
  else
    std::snprintf(out, sizeof out, "%.0f B", b);
  return out;
}

void print_row(const char* what, double bytes, double seconds, int n) {
  const double algbw = bytes / seconds / 1e9;
  const double busbw = algbw * 2.0 * (n - 1) / n;
  const double sent = bytes * 2.0 * (n - 1) / n;  // ring all-reduce: reduce-scatter + all-gather
  std::printf("%-14s %12s %12.1f %10.3f %10.3f %12s\n", what, bytes_text(bytes).c_str(),
              seconds * 1e6, algbw, busbw, bytes_text(sent).c_str());
}

// The gradient buffers of an MLP with `widths`, kernels then biases, last layer first (the order
// a backward pass produces them), carved from one arena as a plan lays them out.
std::vector<dist::GradientBuffer> mlp_gradients(const std::vector<int64_t>& widths, Device device,
                                                Tensor& arena) {
  std::vector<int64_t> sizes;
  for (size_t l = widths.size() - 1; l > 0; --l) {
    sizes.push_back(widths[l]);                  // bias
    sizes.push_back(widths[l - 1] * widths[l]);  // kernel
  }
  int64_t total = 0;
  for (int64_t s : sizes) total += s;
  arena = Tensor::ones({total}, DType::Float32, device);
  std::vector<dist::GradientBuffer> out;
  char* p = static_cast<char*>(arena.raw_data());
  for (int64_t s : sizes) {
    out.push_back({p, s, DType::Float32});
    p += s * 4;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  return dist::run_or_abort([&] {
    const Args args = parse(argc, argv);
    const int n = dist::world_size();
    const bool chief = dist::is_chief();
    const Device device = args.device.is_cpu() ? Device::CPU : Device::CUDA(dist::local_rank());
    dist::DeviceCommunicator* dev = nullptr;
    std::string transport = dist::world().name();
    if (!device.is_cpu()) {
      std::string why;
      dev = dist::device_communicator(device, &why);
      transport = dev ? dev->name() : "host staging through " + transport + " (" + why + ")";
    }
    if (chief) {
      std::printf("all-reduce benchmark: %d ranks, %s, float32 sum in place, %s\n", n,
                  device.to_string().c_str(), transport.c_str());
      std::printf("MPI: %s\n", dist::mpi_library_version().c_str());
      if (n < 2) std::printf("(a world of one communicates nothing: run under mpirun -np 2)\n");
      std::printf("%-14s %12s %12s %10s %10s %12s\n", "", "size", "time us", "algbw GB/s",
                  "busbw GB/s", "sent/rank");
    }
    for (double bytes = 4; bytes <= args.max_mib * (1 << 20); bytes *= 4) {
      const int64_t count = static_cast<int64_t>(bytes / 4);
      Tensor t = Tensor::ones({count}, DType::Float32, device);
      const double s = time_per_call([&] {
        if (dev) {
          dev->start_all_reduce(t.raw_data(), count, DType::Float32, dist::Reduce::Sum);
          dev->synchronize();
        } else if (device.is_cpu()) {
          dist::world().all_reduce_sum(static_cast<float*>(t.raw_data()), count);
        } else {
          dist::all_reduce(t, dist::Reduce::Sum);
        }
      });
      if (chief) print_row("all_reduce", bytes, s, n);
    }

    const size_t bucket = dist::default_bucket_bytes();
    if (chief)
      std::printf("\none step's gradients through BucketedAllReduce (%s buckets):\n",
                  bytes_text(static_cast<double>(bucket)).c_str());
    for (const auto& [name, widths] : std::vector<std::pair<std::string, std::vector<int64_t>>>{
             {"MLP 784-256-128-10", {784, 256, 128, 10}},
             {"MLP 4096x4", {4096, 4096, 4096, 4096, 10}}}) {
      Tensor arena;
      std::vector<dist::GradientBuffer> grads = mlp_gradients(widths, device, arena);
      dist::BucketedAllReduce reducer(
          dist::world(), grads, dist::BucketOptions().bucket_bytes(bucket).device(device), dev);
      const double s = time_per_call([&] {
        for (int i = 0; i < reducer.num_buffers(); ++i) reducer.ready(i);
        reducer.wait_all();
        if (dev) dev->synchronize();
      });
      if (chief) {
        std::printf("%s: %d buffers in %d buckets\n", name.c_str(), reducer.num_buffers(),
                    reducer.num_buckets());
        print_row("bucketed", static_cast<double>(reducer.bytes_per_step()), s, n);
      }
    }
    return 0;
  });
}
