#include "framework/runtime/memory_planner.h"

#include <algorithm>
#include <numeric>

namespace nabla {

std::vector<size_t> plan_offsets(const std::vector<BufferLifetime>& buffers, size_t* arena_bytes) {
  constexpr size_t kAlign = 64;
  const size_t n = buffers.size();
  std::vector<size_t> order(n), offsets(n, 0);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return buffers[a].bytes > buffers[b].bytes; });
  std::vector<size_t> placed;  // indices already given an offset
  size_t total = 0;
  for (size_t idx : order) {
    const BufferLifetime& b = buffers[idx];
    const size_t size = (b.bytes + kAlign - 1) / kAlign * kAlign;
    // Intervals taken by placed buffers that are alive at the same time, sorted by offset.
    std::vector<std::pair<size_t, size_t>> taken;
    for (size_t p : placed) {
      const BufferLifetime& o = buffers[p];
      if (o.first <= b.last && b.first <= o.last) {
        const size_t osize = (o.bytes + kAlign - 1) / kAlign * kAlign;
        taken.emplace_back(offsets[p], offsets[p] + osize);
      }
    }
    std::sort(taken.begin(), taken.end());
    size_t candidate = 0;
    for (const auto& [lo, hi] : taken) {
      if (candidate + size <= lo) break;
      candidate = std::max(candidate, hi);
    }
    offsets[idx] = candidate;
    total = std::max(total, candidate + size);
    placed.push_back(idx);
  }
  *arena_bytes = total;
  return offsets;
}

}  // namespace nabla
