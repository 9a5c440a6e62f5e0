#include "framework/distributed/strategy.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "framework/core/errors.h"
#include "framework/distributed/distributed.h"
#include "framework/distributed/launch.h"
#include "framework/distributed/single_process.h"
#include "framework/runtime/thread_pool.h"

namespace nabla::distributed {
namespace {

std::string ranks_text(const std::vector<int>& ranks) {
  std::string out = ranks.size() == 1 ? "rank " : "ranks ";
  for (size_t i = 0; i < ranks.size(); ++i) out += (i ? ", " : "") + std::to_string(ranks[i]);
  return out;
}

// The number of GPUs CUDA_VISIBLE_DEVICES lists, or 0 when it is unset or empty.
int visible_gpus() {
  const char* v = std::getenv("CUDA_VISIBLE_DEVICES");
  if (!v || !*v) return 0;
  return 1 + static_cast<int>(std::count(v, v + std::char_traits<char>::length(v), ','));
}

// Ranks sharing a machine each get their share of its cores, unless the launcher already bound
// them to fewer cores than the machine has or the user chose a thread count.
void share_cores(int local_size) {
  if (local_size <= 1 || std::getenv("NABLA_NUM_THREADS")) return;
  const int cores = available_cores();
  const int machine = static_cast<int>(std::thread::hardware_concurrency());
  if (machine > 0 && cores < machine) return;  // bound by the launcher
  set_num_threads(std::max(1, cores / local_size));
}

}  // namespace

Strategy::Strategy() : Strategy(std::make_shared<SingleProcessCommunicator>()) {}

Strategy::Strategy(std::shared_ptr<Communicator> communicator, size_t bucket_bytes)
    : comm_(std::move(communicator)),
      bucket_bytes_(bucket_bytes ? bucket_bytes : default_bucket_bytes()) {
  if (!comm_) throw ValueError("Strategy: null communicator");
}

std::string Strategy::name() const {
  if (!is_distributed()) return "single process";
  return "MultiWorker (" + comm_->name() + ", rank " + std::to_string(rank()) + " of " +
         std::to_string(world_size()) + ")";
}

Shard Strategy::shard(int64_t global_batch, const std::string& what) const {
  const int64_t w = world_size();
  if (global_batch <= 0)
    throw ValueError(what + " must be positive, got " + std::to_string(global_batch));
  if (global_batch % w != 0) {
    const int64_t lower = global_batch / w * w, upper = lower + w;
    std::string suggestion =
        lower > 0 ? std::to_string(lower) + " (" + std::to_string(lower / w) + " per rank) or "
                  : "";
    suggestion += std::to_string(upper) + " (" + std::to_string(upper / w) + " per rank)";
    throw ValueError(what + " " + std::to_string(global_batch) +
                     " is the global batch, split evenly across the " + std::to_string(w) +
                     " ranks, and does not divide by " + std::to_string(w) + ": use " + suggestion);
  }
  const int64_t per_rank = global_batch / w;
  return {rank() * per_rank, per_rank};
}

Shard Strategy::shard_uneven(int64_t rows) const {
  if (rows < 0) throw ValueError("shard_uneven: negative row count " + std::to_string(rows));
  const int64_t w = world_size(), r = rank();
  const int64_t base = rows / w, extra = rows % w;
  return {r * base + std::min(r, extra), base + (r < extra ? 1 : 0)};
}

void Strategy::all_reduce_stats(float* data, size_t n) const {
  comm_->all_reduce_sum(data, static_cast<int64_t>(n));
}

void Strategy::all_reduce_stats(double* data, size_t n) const {
  comm_->all_reduce_sum(data, static_cast<int64_t>(n));
}

void Strategy::all_reduce_stats(int64_t* data, size_t n) const {
  comm_->all_reduce_sum(data, static_cast<int64_t>(n));
}

bool Strategy::any_rank(bool flag) const {
  int64_t count = flag ? 1 : 0;
  comm_->all_reduce_sum(&count, 1);
  return count > 0;
}

void Strategy::broadcast_variables(const VariableList& variables, int root) const {
  if (comm_.get() == &world()) {
    distributed::broadcast_variables(variables, root);
    return;
  }
  // Another communicator (tests): host memory only.
  for (const Variable& v : variables) {
    const VariableState& s = v.state();
    if (!s.storage)
      throw StateError("broadcast_variables: variable '" + s.name + "' is not initialised");
    if (!s.storage->device().is_cpu())
      throw UnimplementedError("broadcast_variables: variable '" + s.name + "' is on " +
                               s.storage->device().to_string() +
                               "; only the world communicator moves device memory");
    comm_->broadcast(s.storage->data(), static_cast<int64_t>(s.storage->bytes()), root);
  }
}

void Strategy::average_variables(const VariableList& variables) const {
  if (!is_distributed()) return;
  TensorList values;
  for (const Variable& v : variables) {
    const VariableState& s = v.state();
    if (!s.storage)
      throw StateError("average_variables: variable '" + s.name + "' is not initialised");
    if (comm_.get() != &world() && !s.storage->device().is_cpu())
      throw UnimplementedError("average_variables: variable '" + s.name + "' is on " +
                               s.storage->device().to_string() +
                               "; only the world communicator moves device memory");
    values.push_back(Tensor::make_eager(s.storage, s.shape, s.dtype));
  }
  if (comm_.get() == &world()) {
    distributed::all_reduce(values, Reduce::Average);
    return;
  }
  for (const Tensor& t : values)
    comm_->all_reduce(t.raw_data(), t.numel(), t.dtype(), Reduce::Average);
}

void Strategy::check_same_on_all_ranks(const std::string& what, const std::string& text) const {
  const std::vector<std::string> hashes = comm_->all_gather(fingerprint(text));
  std::vector<int> differing;
  for (size_t r = 1; r < hashes.size(); ++r)
    if (hashes[r] != hashes[0]) differing.push_back(static_cast<int>(r));
  if (differing.empty()) return;
  throw ValueError(what + " differs between ranks: " + ranks_text(differing) +
                   (differing.size() == 1 ? " differs" : " differ") +
                   " from rank 0; every rank must be started with the same " + what);
}

Device Strategy::device_for(Device requested) const {
  if (requested.is_cpu() || !is_distributed()) return requested;
  const int visible = visible_gpus();
  return Device::CUDA(visible > 0 ? local_rank() % visible : local_rank());
}

std::unique_ptr<BucketedAllReduce> Strategy::make_gradient_reducer(
    std::vector<GradientBuffer> buffers, Device device) const {
  DeviceCommunicator* dev =
      device.is_cpu() || comm_.get() != &world() ? nullptr : device_communicator(device);
  return std::make_unique<BucketedAllReduce>(
      *comm_, std::move(buffers),
      BucketOptions().bucket_bytes(bucket_bytes_).reduce(Reduce::Average).device(device), dev);
}

Strategy MultiWorker(const MultiWorkerOptions& options) {
  if (!built_with_mpi()) {
    const LaunchInfo launch = detect_launch();
    throw StateError(
        std::string("distributed::MultiWorker: this build of nabla has no MPI") +
        (launch.distributed ? " (yet it was started by a launcher: " + launch.evidence + ")" : "") +
        "; to train on several processes, " + how_to_enable());
  }
  Communicator& comm = world();
  if (options.share_cores()) share_cores(comm.local_size());
  return Strategy(std::shared_ptr<Communicator>(&comm, [](Communicator*) {}),
                  options.bucket_bytes());
}

Strategy SingleDevice() {
  return Strategy();
}

std::string fingerprint(const std::string& text) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
  return out;
}

std::string describe_shapes(const VariableList& variables) {
  std::string out;
  for (const Variable& v : variables)
    out += v.name() + " " + dtype_name(v.dtype()) + " " + v.shape().to_string() + "\n";
  return out;
}

}  // namespace nabla::distributed
