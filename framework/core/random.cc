#include "framework/core/random.h"

#include <atomic>

#include "framework/core/philox.h"

namespace nabla {

namespace {
std::atomic<uint64_t> global_seed{0x5EED};
std::atomic<uint64_t> drawn{0};
std::atomic<uint64_t> eager_random_count{0};
}  // namespace

void set_seed(uint64_t seed) {
  global_seed = seed;
  drawn = 0;
  eager_random_count = 0;
}

uint64_t next_eager_random_count() {
  return eager_random_count.fetch_add(1);
}

uint64_t next_seed() {
  uint64_t s = philox::mix_seed(global_seed.load(), drawn.fetch_add(1));
  return s != 0 ? s : 1;
}

}  // namespace nabla
