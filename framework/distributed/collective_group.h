// CollectiveGroup: what the collective ops of one compiled training step talk through.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "framework/core/device.h"
#include "framework/distributed/communicator.h"
#include "framework/distributed/device_communicator.h"

namespace nabla::distributed {

/// Volume and time of a group's collectives since the last reset, for benchmarks and logs.
struct CollectiveStats {
  /// Collectives started or run.
  int64_t collectives = 0;
  /// Bytes this rank put into them.
  int64_t bytes = 0;
  /// Seconds spent in the calls that start them (MPI's setup; packing not included).
  double start_seconds = 0;
  /// Seconds blocked waiting for them: the communication the step did not hide behind compute.
  double wait_seconds = 0;
};

/// The communicator of one compiled training step as its graph ops see it (the ops of
/// framework/ops/collective_ops.h): the ranks' communicator, the device communicator (NCCL) of
/// the step's GPU when there is one, and one request slot per gradient bucket.
///
/// A group registers itself under a small integer id for its lifetime; the ops carry that id as
/// their "group" attribute, so a graph names its group without holding a pointer, and kernels
/// find it with collective_group(id). Its calls come from one plan run at a time (the training
/// step's), which is how a training loop runs it.
class CollectiveGroup {
 public:
  /// A group over `comm` for a step running on `device`, with `buckets` request slots. For a GPU
  /// with the world communicator its collectives run on the device communicator; where there is
  /// none, device buffers go through host memory and MPI.
  CollectiveGroup(Communicator& comm, Device device, int buckets);
  ~CollectiveGroup();
  CollectiveGroup(const CollectiveGroup&) = delete;
  CollectiveGroup& operator=(const CollectiveGroup&) = delete;

  /// The id the ops name the group by.
  int id() const { return id_; }
  /// The ranks' communicator.
  Communicator& communicator() const { return comm_; }
  /// NCCL for the step's GPU, or nullptr (the CPU; a GPU without NCCL in the build). Made on
  /// first use, a collective call: the first run of the step's plan, on every rank at once.
  DeviceCommunicator* device_communicator();
  /// The device the step runs on.
  Device device() const { return device_; }
  /// Number of ranks.
  int size() const { return comm_.size(); }
  /// Number of request slots.
  int buckets() const { return static_cast<int>(requests_.size()); }
  /// Sets the number of request slots (once the gradients are bucketed; no request in flight).
  void set_buckets(int buckets);

  /// Starts the in-place sum all-reduce of `count` elements of `dtype` at host address `data` as
  /// request `bucket`, then advances the requests in flight. MPI errors end the job.
  void start(int bucket, void* data, int64_t count, DType dtype);
  /// Returns when request `bucket` is complete (at once when it is, or was not started).
  void wait(int bucket);
  /// Advances the requests in flight (MPI progresses non-blocking collectives only inside its
  /// calls, so calling this while computing is what lets communication overlap computation).
  void poll();
  /// Sums `count` elements of `dtype` at host address `data` over the ranks, blocking.
  void all_reduce_sum(void* data, int64_t count, DType dtype);
  /// Host memory of at least `bytes` for device buffers that go through MPI; grows on demand
  /// (an allocation in the first steps only).
  void* host_staging(size_t bytes);
  /// Counts a collective the device communicator queued (its time is the device's).
  void count_device_collective(int64_t bytes);

  /// What the group's collectives cost since the last reset_stats().
  const CollectiveStats& stats() const { return stats_; }
  void reset_stats() { stats_ = CollectiveStats{}; }

 private:
  Communicator& comm_;
  Device device_;
  DeviceCommunicator* device_comm_ = nullptr;
  bool device_comm_made_ = false;
  std::vector<Request> requests_;
  std::vector<char> staging_;
  CollectiveStats stats_;
  int id_ = 0;
};

/// The group registered under `id`. StateError naming `where` (the op) when there is none: the
/// graph outlived its training step, or was read from a file.
CollectiveGroup& collective_group(int64_t id, const std::string& where);

}  // namespace nabla::distributed
