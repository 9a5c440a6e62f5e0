#include "framework/cuda/allocator.h"

#include <cuda_runtime.h>

#include <cstdio>

#include "framework/core/errors.h"
#include "framework/cuda/context.h"

namespace nabla::cuda {
namespace {

std::string human_bytes(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (bytes >= 1024 && u < 4) bytes /= 1024, ++u;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1f %s", bytes, units[u]);
  return buf;
}

}  // namespace

size_t CachingAllocator::bucket_size(size_t bytes) {
  constexpr size_t kSmallStep = 512, kSmallLimit = size_t{1} << 20;
  if (bytes == 0) bytes = 1;
  if (bytes <= kSmallLimit) return (bytes + kSmallStep - 1) / kSmallStep * kSmallStep;
  size_t power = kSmallLimit;
  while (power * 2 < bytes) power *= 2;
  const size_t step = power / 4;  // sizes power * (1, 1.25, 1.5, 1.75, 2)
  return (bytes + step - 1) / step * step;
}

void* CachingAllocator::allocate(size_t bytes, const std::string& what) {
  const size_t size = bucket_size(bytes);
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = free_.find(size);
  void* block = nullptr;
  if (it != free_.end() && !it->second.empty()) {
    block = it->second.back();
    it->second.pop_back();
  } else {
    block = device_malloc(size, what);
  }
  in_use_[block] = size;
  return block;
}

void* CachingAllocator::device_malloc(size_t size, const std::string& what) {
  use_device(device_);
  void* block = nullptr;
  cudaError_t status = cudaMalloc(&block, size);
  if (status == cudaErrorMemoryAllocation) {
    cudaGetLastError();  // clear the error so later launches do not report it
    release_locked();
    status = cudaMalloc(&block, size);
  }
  if (status == cudaErrorMemoryAllocation) {
    cudaGetLastError();
    size_t free_bytes = 0, total_bytes = 0;
    cudaMemGetInfo(&free_bytes, &total_bytes);
    throw OutOfMemoryError("out of memory: " + what + " needs " +
                           human_bytes(static_cast<double>(size)) +
                           " on cuda:" + std::to_string(device_) + ", which has " +
                           human_bytes(static_cast<double>(free_bytes)) + " free of " +
                           human_bytes(static_cast<double>(total_bytes)) + " (nabla holds " +
                           human_bytes(static_cast<double>(reserved_)) + ")");
  }
  check(status, "cudaMalloc", nullptr);
  ++device_allocations_;
  reserved_ += size;
  return block;
}

void CachingAllocator::deallocate(void* block) {
  if (!block) return;
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = in_use_.find(block);
  if (it == in_use_.end()) return;  // not ours: never hand it out again
  free_[it->second].push_back(block);
  in_use_.erase(it);
}

void CachingAllocator::release_cached() {
  std::lock_guard<std::mutex> lock(mutex_);
  release_locked();
}

void CachingAllocator::release_locked() {
  use_device(device_);
  for (auto& [bucket, blocks] : free_) {
    for (void* b : blocks) cudaFree(b), reserved_ -= bucket;
    blocks.clear();
  }
}

}  // namespace nabla::cuda
