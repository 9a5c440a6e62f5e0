#include "framework/distributed/bucketed_all_reduce.h"

#include <algorithm>
#include <climits>
#include <cstring>
#include <utility>

#include "framework/core/errors.h"

namespace nabla::distributed {
namespace {

size_t buffer_bytes(const GradientBuffer& b) {
  return static_cast<size_t>(b.count) * dtype_size(b.dtype);
}

// dst[i] = src[i] * factor: unpacking and averaging in one pass over the data.
void copy_scaled(void* dst, const void* src, int64_t count, DType dtype, double factor) {
  if (dtype == DType::Float32) {
    float* d = static_cast<float*>(dst);
    const float* s = static_cast<const float*>(src);
    const float f = static_cast<float>(factor);
    for (int64_t i = 0; i < count; ++i) d[i] = s[i] * f;
  } else if (dtype == DType::Float64) {
    double* d = static_cast<double*>(dst);
    const double* s = static_cast<const double*>(src);
    for (int64_t i = 0; i < count; ++i) d[i] = s[i] * factor;
  } else {
    std::memcpy(dst, src, static_cast<size_t>(count) * dtype_size(dtype));
  }
}

std::string mib(size_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f MiB", static_cast<double>(bytes) / (1 << 20));
  return text;
}

}  // namespace

BucketedAllReduce::BucketedAllReduce(Communicator& comm, std::vector<GradientBuffer> buffers,
                                     const BucketOptions& options, DeviceCommunicator* device_comm)
    : comm_(comm),
      device_comm_(options.device().is_cpu() ? nullptr : device_comm),
      options_(options),
      buffers_(std::move(buffers)) {
  if (options_.bucket_bytes() == 0) throw ValueError("BucketedAllReduce: bucket_bytes must be > 0");
  for (size_t i = 0; i < buffers_.size(); ++i) {
    const GradientBuffer& b = buffers_[i];
    const std::string where = "BucketedAllReduce: buffer " + std::to_string(i);
    if (b.count < 0) throw ValueError(where + " has a negative count " + std::to_string(b.count));
    if (b.count > 0 && !b.data) throw ValueError(where + " is null");
    if (b.dtype == DType::Bool)
      throw TypeError(where + " holds bool values, which cannot be summed");
    if (options_.reduce() == Reduce::Average && !is_floating(b.dtype))
      throw TypeError(where + " holds " + dtype_name(b.dtype) +
                      " values, which cannot be averaged (use Reduce::Sum)");
  }
  staging_device_ = device_comm_ ? options_.device() : Device::CPU;
  layout();
}

BucketedAllReduce::~BucketedAllReduce() = default;

std::vector<int> bucket_boundaries(const std::vector<size_t>& bytes,
                                   const std::vector<DType>& dtypes, size_t bucket_bytes) {
  std::vector<int> first;
  size_t in_bucket = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (first.empty() || dtypes[i] != dtypes[i - 1] || in_bucket >= bucket_bytes) {
      first.push_back(static_cast<int>(i));
      in_bucket = 0;
    }
    in_bucket += bytes[i];
  }
  first.push_back(static_cast<int>(bytes.size()));
  return first;
}

void BucketedAllReduce::layout() {
  buckets_.clear();
  bucket_of_.assign(buffers_.size(), 0);
  bytes_per_step_ = 0;
  std::vector<size_t> bytes;
  std::vector<DType> dtypes;
  for (const GradientBuffer& b : buffers_)
    bytes.push_back(buffer_bytes(b)), dtypes.push_back(b.dtype);
  const std::vector<int> first = bucket_boundaries(bytes, dtypes, options_.bucket_bytes());
  for (size_t k = 0; k + 1 < first.size(); ++k) {
    Bucket next;
    next.first = first[k];
    next.end = first[k + 1];
    next.dtype = buffers_[static_cast<size_t>(first[k])].dtype;
    for (int i = next.first; i < next.end; ++i) {
      next.count += buffers_[static_cast<size_t>(i)].count;
      next.bytes += bytes[static_cast<size_t>(i)];
      bucket_of_[static_cast<size_t>(i)] = static_cast<int>(k);
    }
    buckets_.push_back(next);
  }
  for (size_t b = 0; b < buckets_.size(); ++b) {
    if (buckets_[b].count > INT_MAX)
      throw ValueError("BucketedAllReduce: bucket " + std::to_string(b) + " holds " +
                       std::to_string(buckets_[b].count) +
                       " elements, more than one collective can take (2^31 - 1); split the "
                       "gradient or lower bucket_bytes");
    update_contiguity(buckets_[b]);
    bytes_per_step_ += buckets_[b].bytes;
  }
  plan_staging();
  buffer_ready_.assign(buffers_.size(), 0);
  waiting_.resize(buckets_.size());
  for (size_t b = 0; b < buckets_.size(); ++b) waiting_[b] = buckets_[b].end - buckets_[b].first;
  requests_.assign(buckets_.size(), Request{});
  for (Request& r : requests_) r.what = "all-reduce of a gradient bucket";
  next_to_start_ = next_to_finish_ = 0;
}

// In place when the bucket's non-empty buffers, sorted by address, follow one another with no
// gap: the collective then runs on their memory directly. Device buffers without a device
// communicator always go through host staging.
void BucketedAllReduce::update_contiguity(Bucket& k) {
  k.contiguous = nullptr;
  if (!options_.device().is_cpu() && !device_comm_) return;
  std::vector<std::pair<char*, size_t>> ranges;
  for (int i = k.first; i < k.end; ++i)
    if (buffers_[i].count > 0)
      ranges.emplace_back(static_cast<char*>(buffers_[i].data), buffer_bytes(buffers_[i]));
  if (ranges.empty()) return;
  std::sort(ranges.begin(), ranges.end());
  for (size_t r = 1; r < ranges.size(); ++r)
    if (ranges[r - 1].first + ranges[r - 1].second != ranges[r].first) return;
  k.contiguous = ranges.front().first;
}

void BucketedAllReduce::plan_staging() {
  staging_offset_.assign(buckets_.size(), 0);
  size_t total = 0;
  for (size_t b = 0; b < buckets_.size(); ++b) {
    if (buckets_[b].contiguous || buckets_[b].count == 0) continue;
    staging_offset_[b] = total;
    total += (buckets_[b].bytes + 63) / 64 * 64;
  }
  if (total == 0 || !communicates()) {
    staging_.reset();
  } else if (!staging_ || staging_->bytes() < total) {
    staging_.reset();
    staging_ = Storage::allocate(staging_device_, total, "gradient all-reduce staging buffer");
  }
}

void* BucketedAllReduce::staging(int b) const {
  return static_cast<char*>(staging_->data()) + staging_offset_[static_cast<size_t>(b)];
}

void BucketedAllReduce::copy(void* dst, Device dst_device, const void* src, Device src_device,
                             size_t bytes) const {
  if (bytes == 0) return;
  if (dst_device.is_cpu() && src_device.is_cpu())
    std::memcpy(dst, src, bytes);
  else if (device_comm_)
    device_comm_->copy(dst, src, bytes);
  else
    copy_bytes(dst, dst_device, src, src_device, bytes);
}

void BucketedAllReduce::rebind(int i, void* data) {
  if (i < 0 || i >= num_buffers())
    throw ValueError("BucketedAllReduce::rebind: no buffer " + std::to_string(i) + " (" +
                     std::to_string(num_buffers()) + " buffers)");
  if (next_to_start_ != 0 || std::count(buffer_ready_.begin(), buffer_ready_.end(), 1) != 0)
    throw StateError("BucketedAllReduce::rebind: a step is in progress (call wait_all first)");
  if (buffers_[i].count > 0 && !data)
    throw ValueError("BucketedAllReduce::rebind: buffer " + std::to_string(i) + " is null");
  buffers_[i].data = data;
  update_contiguity(buckets_[bucket_of(i)]);
  plan_staging();
}

void BucketedAllReduce::ready(int i) {
  if (i < 0 || i >= num_buffers())
    throw ValueError("BucketedAllReduce::ready: no buffer " + std::to_string(i) + " (" +
                     std::to_string(num_buffers()) + " buffers)");
  if (buffer_ready_[i])
    throw StateError("BucketedAllReduce::ready: buffer " + std::to_string(i) +
                     " was already ready in this step (wait_all ends a step)");
  buffer_ready_[i] = 1;
  --waiting_[bucket_of(i)];
  while (next_to_start_ < num_buckets() && waiting_[next_to_start_] == 0) launch(next_to_start_++);
  poll();
}

void BucketedAllReduce::start(int b) {
  if (b < 0 || b >= num_buckets())
    throw ValueError("BucketedAllReduce::start: no bucket " + std::to_string(b) + " (" +
                     std::to_string(num_buckets()) + " buckets)");
  while (next_to_start_ <= b) launch(next_to_start_++);
}

// Packs the bucket if it is not in place, then starts its collective.
void BucketedAllReduce::launch(int b) {
  const Bucket& k = buckets_[b];
  if (!communicates() || k.count == 0) return;
  void* data = k.contiguous;
  if (!data) {
    data = staging(b);
    char* to = static_cast<char*>(data);
    for (int i = k.first; i < k.end; ++i) {
      copy(to, staging_device_, buffers_[i].data, options_.device(), buffer_bytes(buffers_[i]));
      to += buffer_bytes(buffers_[i]);
    }
  }
  if (device_comm_)
    device_comm_->start_all_reduce(data, k.count, k.dtype, options_.reduce());
  else
    comm_.start_all_reduce_sum(data, k.count, k.dtype, requests_[b]);
}

bool BucketedAllReduce::poll() {
  if (device_comm_) return true;  // the device communicator's stream progresses on its own
  while (next_to_finish_ < next_to_start_ && comm_.test(requests_[next_to_finish_]))
    ++next_to_finish_;
  return next_to_finish_ == next_to_start_;
}

// Waits for bucket b (host path) and puts the averaged values back into its buffers.
void BucketedAllReduce::finish(int b) {
  const Bucket& k = buckets_[b];
  if (!communicates() || k.count == 0) return;
  const bool average = options_.reduce() == Reduce::Average && !device_comm_;
  const double factor = 1.0 / comm_.size();
  if (!device_comm_) comm_.wait(requests_[b]);
  if (k.contiguous) {
    if (average) scale(k.contiguous, k.count, k.dtype, factor);
    return;
  }
  char* from = static_cast<char*>(staging(b));
  for (int i = k.first; i < k.end; ++i) {
    const GradientBuffer& g = buffers_[i];
    if (average && options_.device().is_cpu())
      copy_scaled(g.data, from, g.count, g.dtype, factor);
    else {
      if (average) scale(from, g.count, g.dtype, factor);  // host staging of device buffers
      copy(g.data, options_.device(), from, staging_device_, buffer_bytes(g));
    }
    from += buffer_bytes(g);
  }
}

void BucketedAllReduce::wait_all() {
  if (num_buckets() > 0) start(num_buckets() - 1);
  if (device_comm_) device_comm_->join();  // later copies and kernels wait for the collectives
  for (int b = 0; b < num_buckets(); ++b) finish(b);
  std::fill(buffer_ready_.begin(), buffer_ready_.end(), 0);
  for (size_t b = 0; b < buckets_.size(); ++b) waiting_[b] = buckets_[b].end - buckets_[b].first;
  next_to_start_ = next_to_finish_ = 0;
}

std::string BucketedAllReduce::describe() const {
  std::string out;
  for (int b = 0; b < num_buckets(); ++b) {
    const Bucket& k = buckets_[b];
    out += "bucket " + std::to_string(b) + ": buffers " + std::to_string(k.first) + "-" +
           std::to_string(k.end - 1) + ", " + std::to_string(k.count) + " " + dtype_name(k.dtype) +
           " (" + mib(k.bytes) + "), " + (k.contiguous ? "in place" : "packed") + "\n";
  }
  return out;
}

}  // namespace nabla::distributed
