#include "framework/core/random.h"

#include <atomic>

#include "framework/core/philox.h"

namespace nabla {

void reset_eager_random_counter();

namespace {
std::atomic<uint64_t> global_seed{0x5EED};
std::atomic<uint64_t> drawn{0};
}  // namespace

void set_seed(uint64_t seed) {
  global_seed = seed;
  drawn = 0;
  reset_eager_random_counter();
}

uint64_t next_seed() {
  uint64_t s = philox::mix_seed(global_seed.load(), drawn.fetch_add(1));
  return s != 0 ? s : 1;
}

}  // namespace nabla
