// Places a plan's intermediate buffers in one arena, reusing memory whose lifetimes do not
// overlap.
#pragma once

#include <cstddef>
#include <vector>

namespace nabla {

/// One buffer to place: its size and the steps during which it must hold its value (the step
/// that writes it through the last step that reads it, inclusive).
struct BufferLifetime {
  size_t bytes = 0;
  int first = 0;
  int last = 0;
};

/// Offsets (64-byte aligned) for each buffer such that buffers alive at the same time never
/// overlap; `arena_bytes` receives the arena size needed. Greedy by size, largest first, each at
/// the lowest offset that fits: the strategy of TensorFlow Lite's arena planner.
std::vector<size_t> plan_offsets(const std::vector<BufferLifetime>& buffers, size_t* arena_bytes);

}  // namespace nabla
