#include "framework/distributed/collective_group.h"

#include <algorithm>
#include <chrono>
#include <mutex>

#include "framework/core/errors.h"
#include "framework/distributed/distributed.h"

namespace nabla::distributed {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// Groups by id (slot 0 stays empty, so a zero attribute never names a group).
struct Groups {
  std::mutex mutex;
  std::vector<CollectiveGroup*> by_id{nullptr};
};

Groups& groups() {
  static Groups* g = new Groups();  // kept past exit: a step may be destroyed after statics
  return *g;
}

}  // namespace

CollectiveGroup::CollectiveGroup(Communicator& comm, Device device, int buckets)
    : comm_(comm), device_(device), requests_(static_cast<size_t>(std::max(buckets, 0))) {
  for (Request& r : requests_) r.what = "all-reduce of a gradient bucket";
  Groups& g = groups();
  std::lock_guard<std::mutex> lock(g.mutex);
  for (size_t i = 1; i < g.by_id.size() && !id_; ++i)
    if (!g.by_id[i]) id_ = static_cast<int>(i);
  if (!id_) {
    id_ = static_cast<int>(g.by_id.size());
    g.by_id.push_back(nullptr);
  }
  g.by_id[static_cast<size_t>(id_)] = this;
}

CollectiveGroup::~CollectiveGroup() {
  Groups& g = groups();
  std::lock_guard<std::mutex> lock(g.mutex);
  g.by_id[static_cast<size_t>(id_)] = nullptr;
}

DeviceCommunicator* CollectiveGroup::device_communicator() {
  if (!device_comm_made_) {
    device_comm_made_ = true;
    if (!device_.is_cpu() && &comm_ == &world())
      device_comm_ = ::nabla::distributed::device_communicator(device_);
  }
  return device_comm_;
}

void CollectiveGroup::set_buckets(int buckets) {
  for (const Request& r : requests_)
    if (r.active) throw StateError("CollectiveGroup::set_buckets: a request is in flight");
  requests_.assign(static_cast<size_t>(std::max(buckets, 0)), Request{});
  for (Request& r : requests_) r.what = "all-reduce of a gradient bucket";
}

void CollectiveGroup::start(int bucket, void* data, int64_t count, DType dtype) {
  if (bucket < 0 || bucket >= buckets())
    throw ValueError("collective group " + std::to_string(id_) + " has no bucket " +
                     std::to_string(bucket) + " (" + std::to_string(buckets()) + " buckets)");
  const Clock::time_point t = Clock::now();
  comm_.start_all_reduce_sum(data, count, dtype, requests_[static_cast<size_t>(bucket)]);
  poll();
  ++stats_.collectives;
  stats_.bytes += count * static_cast<int64_t>(dtype_size(dtype));
  stats_.start_seconds += seconds_since(t);
}

void CollectiveGroup::wait(int bucket) {
  if (bucket < 0 || bucket >= buckets())
    throw ValueError("collective group " + std::to_string(id_) + " has no bucket " +
                     std::to_string(bucket) + " (" + std::to_string(buckets()) + " buckets)");
  Request& r = requests_[static_cast<size_t>(bucket)];
  if (!r.active) return;
  const Clock::time_point t = Clock::now();
  comm_.wait(r);
  stats_.wait_seconds += seconds_since(t);
}

void CollectiveGroup::poll() {
  for (Request& r : requests_)
    if (r.active) comm_.test(r);
}

void CollectiveGroup::all_reduce_sum(void* data, int64_t count, DType dtype) {
  const Clock::time_point t = Clock::now();
  comm_.all_reduce_sum(data, count, dtype);
  ++stats_.collectives;
  stats_.bytes += count * static_cast<int64_t>(dtype_size(dtype));
  stats_.wait_seconds += seconds_since(t);
}

void* CollectiveGroup::host_staging(size_t bytes) {
  if (staging_.size() < bytes) staging_.resize(bytes);
  return staging_.data();
}

void CollectiveGroup::count_device_collective(int64_t bytes) {
  ++stats_.collectives;
  stats_.bytes += bytes;
}

CollectiveGroup& collective_group(int64_t id, const std::string& where) {
  Groups& g = groups();
  std::lock_guard<std::mutex> lock(g.mutex);
  if (id <= 0 || id >= static_cast<int64_t>(g.by_id.size()) || !g.by_id[static_cast<size_t>(id)])
    throw StateError(where + ": no collective group " + std::to_string(id) +
                     " (its training step is gone, or the graph was read from a file; collective "
                     "ops run only inside the step that made them)");
  return *g.by_id[static_cast<size_t>(id)];
}

}  // namespace nabla::distributed
