// The caching allocator of one GPU.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace nabla::cuda {

/// Device memory from size-bucketed free lists. cudaMalloc and cudaFree synchronize the device
/// and cost tens of microseconds, and a training step frees and requests the same sizes every
/// time (eager temporaries, the per-epoch sample order, a plan's arena when it is rebuilt), so
/// freed blocks are kept in a free list per bucket and handed out again; after the first step no
/// cudaMalloc happens. A freed block may be reused at once: every kernel and copy of the device
/// runs on one stream, so a later user is ordered after the earlier one.
///
/// When cudaMalloc fails, the cached blocks are released and it is tried again; when it still
/// fails, OutOfMemoryError names the tensor, the size and the free memory.
class CachingAllocator {
 public:
  explicit CachingAllocator(int device) : device_(device) {}
  CachingAllocator(const CachingAllocator&) = delete;
  CachingAllocator& operator=(const CachingAllocator&) = delete;

  /// A block of at least `bytes` (256-byte aligned); `what` names the tensor for errors.
  void* allocate(size_t bytes, const std::string& what);
  /// Returns a block to its free list (no CUDA call: safe during static destruction).
  void deallocate(void* block);
  /// Frees every cached block (cudaFree).
  void release_cached();

  /// The size a request is served with: multiples of 512 bytes up to 1 MiB, then four sizes per
  /// power of two (at most 25% unused).
  static size_t bucket_size(size_t bytes);

  /// How many times cudaMalloc was called; flat in the steady state of a training loop.
  uint64_t device_allocations() const { return device_allocations_; }
  /// Bytes held from the device (in use and cached).
  size_t reserved_bytes() const { return reserved_; }

 private:
  void* device_malloc(size_t bytes, const std::string& what);
  void release_locked();  // release_cached() with the mutex held

  int device_;
  std::mutex mutex_;
  std::unordered_map<size_t, std::vector<void*>> free_;  // by bucket size
  std::unordered_map<void*, size_t> in_use_;             // block -> bucket size
  uint64_t device_allocations_ = 0;
  size_t reserved_ = 0;
};

}  // namespace nabla::cuda
