// The gradient all-reduce of a data-parallel training step: gradients grouped into buckets of a
// few MB, each bucket started as soon as its gradients are ready.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "framework/core/device.h"
#include "framework/core/options.h"
#include "framework/core/storage.h"
#include "framework/distributed/communicator.h"
#include "framework/distributed/device_communicator.h"

namespace nabla::distributed {

/// One gradient: `count` elements of `dtype` at `data`, in the memory of the engine's device.
struct GradientBuffer {
  void* data = nullptr;
  int64_t count = 0;
  DType dtype = DType::Float32;
};

/// How BucketedAllReduce groups and combines gradients.
struct BucketOptions {
  /// Target bytes of one bucket: buffers are added to a bucket until it holds at least this many
  /// (a larger buffer is a bucket of its own). NABLA_BUCKET_BYTES, or 4 MiB.
  NABLA_ARG(size_t, bucket_bytes) = size_t{4} << 20;
  /// Average (the gradient of the global batch's mean loss) or Sum.
  NABLA_ARG(Reduce, reduce) = Reduce::Average;
  /// Where the buffers live. CPU buffers are reduced by the communicator (MPI); device buffers
  /// by the device communicator (NCCL) when there is one, else through host memory.
  NABLA_ARG(Device, device) = Device::CPU;
};

/// How BucketedAllReduce groups buffers of `bytes` and `dtypes` (given in the order they become
/// ready): consecutive buffers of one dtype, a bucket closed once it holds at least `bucket_bytes`
/// (a larger buffer is a bucket of its own). Returns the index of each bucket's first buffer, then
/// the number of buffers. Also used to bucket the gradient ops of a compiled training step.
std::vector<int> bucket_boundaries(const std::vector<size_t>& bytes,
                                   const std::vector<DType>& dtypes, size_t bucket_bytes);

/// Averages a fixed list of gradient buffers over all ranks, overlapping communication with the
/// backward pass as PyTorch's DDP reducer and Horovod's tensor fusion do.
///
/// The buffers are given in the order the backward pass produces them (the last layer's first).
/// Consecutive buffers of one dtype form a bucket of about bucket_bytes. Per training step:
///
///     reducer.ready(i);   // as each gradient is computed: starts its bucket once all its
///                         // buffers are ready (and drives the buckets in flight)
///     reducer.wait_all(); // before the optimizer update: starts what is left, waits, averages
///
/// Buckets start strictly in index order on every rank, whatever order ready() is called in, so
/// the ranks' collectives always match. A bucket whose buffers tile one contiguous range is
/// reduced in place; others are packed into a staging buffer allocated with the layout (here and
/// in rebind), so a training step never allocates, and ready() and wait_all() never throw once the
/// buffers are valid (communication failures end the job, see Communicator), so they may be called
/// from inside a compiled plan's kernels. Not thread-safe: call from one thread at a time.
class BucketedAllReduce {
 public:
  /// A group of consecutive buffers reduced by one collective.
  struct Bucket {
    int first = 0;  // index of its first buffer
    int end = 0;    // one past its last buffer
    DType dtype = DType::Float32;
    int64_t count = 0;  // elements
    size_t bytes = 0;
    void* contiguous = nullptr;  // start of the range its buffers tile, or nullptr (packed)
  };

  /// Groups `buffers` into buckets. Throws ValueError for a null buffer, a negative count, a bool
  /// buffer, or a bucket of more than 2^31 - 1 elements; those errors are the same on every rank.
  /// `device_comm` (optional) is used for buffers on a device; see BucketOptions::device.
  BucketedAllReduce(Communicator& comm, std::vector<GradientBuffer> buffers,
                    const BucketOptions& options = {}, DeviceCommunicator* device_comm = nullptr);
  ~BucketedAllReduce();
  BucketedAllReduce(const BucketedAllReduce&) = delete;
  BucketedAllReduce& operator=(const BucketedAllReduce&) = delete;

  /// Number of gradient buffers, and of the buckets they were grouped into.
  int num_buffers() const { return static_cast<int>(buffers_.size()); }
  int num_buckets() const { return static_cast<int>(buckets_.size()); }
  /// Bucket `b`, 0 <= b < num_buckets() (unchecked).
  const Bucket& bucket(int b) const { return buckets_[static_cast<size_t>(b)]; }
  /// The bucket buffer `i` belongs to (unchecked).
  int bucket_of(int i) const { return bucket_of_[static_cast<size_t>(i)]; }
  /// The options it was made with.
  const BucketOptions& options() const { return options_; }
  /// Bytes each rank sends into the all-reduces of one step (the sum of the buckets' bytes).
  size_t bytes_per_step() const { return bytes_per_step_; }
  /// One line per bucket ("bucket 0: buffers 0-2, 1048576 float32 (4.00 MiB), in place"), for
  /// logs.
  std::string describe() const;

  /// Points buffer `i` at new memory of the same size (a plan rebuilt its arena). Only between
  /// steps; may change whether its bucket is reduced in place.
  void rebind(int i, void* data);

  /// Buffer `i` holds this step's gradient. Starts its bucket when that was the last buffer it
  /// waited for (and every earlier bucket is started), and advances the buckets in flight.
  void ready(int i);
  /// Starts bucket `b` now, and every earlier bucket not yet started.
  void start(int b);
  /// Advances the buckets in flight (MPI makes progress only inside its calls); true when every
  /// started bucket is complete.
  bool poll();
  /// Starts every bucket not yet started, waits for all, copies packed buckets back and divides
  /// by the world size (Average). Then the buffers hold the reduced gradients and the next step
  /// may begin.
  void wait_all();

 private:
  void layout();
  void update_contiguity(Bucket& bucket);
  void plan_staging();
  void launch(int b);
  void finish(int b);
  void copy(void* dst, Device dst_device, const void* src, Device src_device, size_t bytes) const;
  bool communicates() const { return device_comm_ || comm_.size() > 1; }
  void* staging(int b) const;

  Communicator& comm_;
  DeviceCommunicator* device_comm_;
  BucketOptions options_;
  std::vector<GradientBuffer> buffers_;
  std::vector<Bucket> buckets_;
  std::vector<int> bucket_of_;
  std::vector<size_t> staging_offset_;  // per bucket, into staging_ (packed buckets)
  std::shared_ptr<Storage> staging_;    // host memory, or device memory with a device_comm
  Device staging_device_;
  std::vector<uint8_t> buffer_ready_;
  std::vector<int> waiting_;       // per bucket: buffers not yet ready
  std::vector<Request> requests_;  // per bucket (host path)
  int next_to_start_ = 0;
  int next_to_finish_ = 0;
  size_t bytes_per_step_ = 0;
};

}  // namespace nabla::distributed
