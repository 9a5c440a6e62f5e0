// Seeds: the global seed and the per-op seeds derived from it.
#pragma once

#include <cstdint>

namespace nabla {

/// Sets the global seed, as tf.random.set_seed / keras.utils.set_random_seed do: every random op,
/// initializer, dropout layer and shuffle made afterwards without an explicit seed draws its seed
/// from a sequence determined by this one, so a program run twice gives identical results.
void set_seed(uint64_t seed);
/// The next seed of that sequence (used when a seed of 0, meaning "unset", is given).
uint64_t next_seed();
/// The run count of the next eager random op (its stream is (seed, count)); set_seed resets it,
/// so eager random numbers repeat after set_seed as they do in TensorFlow.
uint64_t next_eager_random_count();
/// `seed` when non-zero, else next_seed().
inline uint64_t resolve_seed(uint64_t seed) {
  return seed != 0 ? seed : next_seed();
}

}  // namespace nabla
