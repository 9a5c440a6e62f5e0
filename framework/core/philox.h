// Philox4x32-10: the counter-based random generator of TensorFlow and cuRAND.
//
// A counter-based generator maps (key, counter) to random bits with no state in between, so
// element i of a random tensor is a pure function of (seed, run counter, i). That makes random
// ops reproducible across thread counts and identical on the CPU and the GPU, and lets dropout
// masks be regenerated from the training step count after a checkpoint is reloaded.
#pragma once

#include <cmath>
#include <cstdint>

#include "framework/core/host_device.h"

namespace nabla::philox {

struct Bits4 {
  uint32_t v[4];
};

NABLA_HD uint32_t mulhilo(uint32_t a, uint32_t b, uint32_t* hi) {
  const uint64_t p = static_cast<uint64_t>(a) * b;
  *hi = static_cast<uint32_t>(p >> 32);
  return static_cast<uint32_t>(p);
}

/// Four 32-bit random words for counter (c0..c3) under a 64-bit key.
NABLA_HD Bits4 philox4x32(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3, uint64_t key) {
  uint32_t k0 = static_cast<uint32_t>(key), k1 = static_cast<uint32_t>(key >> 32);
  for (int round = 0; round < 10; ++round) {
    uint32_t hi0, hi1;
    const uint32_t lo0 = mulhilo(0xD2511F53u, c0, &hi0);
    const uint32_t lo1 = mulhilo(0xCD9E8D57u, c2, &hi1);
    const uint32_t n0 = hi1 ^ c1 ^ k0, n2 = hi0 ^ c3 ^ k1;
    c0 = n0, c1 = lo1, c2 = n2, c3 = lo0;
    k0 += 0x9E3779B9u, k1 += 0xBB67AE85u;
  }
  return Bits4{{c0, c1, c2, c3}};
}

/// A uniform float in [0, 1) from 24 random bits (exactly representable, never 1).
NABLA_HD float to_unit_float(uint32_t bits) {
  return (bits >> 8) * (1.0f / 16777216.0f);
}
/// A uniform double in [0, 1) from 53 random bits.
NABLA_HD double to_unit_double(uint32_t hi, uint32_t lo) {
  return ((static_cast<uint64_t>(hi) << 21) ^ (lo >> 11)) * (1.0 / 9007199254740992.0);
}

/// The four words for element `index` of a stream identified by (seed, run): every element owns
/// one 128-bit counter (index, run), so blocks of a tensor can be generated in any order.
NABLA_HD Bits4 element_bits(uint64_t seed, uint64_t run, uint64_t index) {
  return philox4x32(static_cast<uint32_t>(index), static_cast<uint32_t>(index >> 32),
                    static_cast<uint32_t>(run), static_cast<uint32_t>(run >> 32), seed);
}

/// Uniform in [0, 1) for element `index`.
NABLA_HD double uniform(uint64_t seed, uint64_t run, uint64_t index) {
  const Bits4 b = element_bits(seed, run, index);
  return to_unit_double(b.v[0], b.v[1]);
}

/// Standard normal for element `index` (Box-Muller on the element's own words).
NABLA_HD double normal(uint64_t seed, uint64_t run, uint64_t index) {
  const Bits4 b = element_bits(seed, run, index);
  const double u1 = 1.0 - to_unit_double(b.v[0], b.v[1]);  // (0, 1]: log is finite
  const double u2 = to_unit_double(b.v[2], b.v[3]);
  return ::sqrt(-2.0 * ::log(u1)) * ::cos(6.283185307179586 * u2);
}

/// Standard normal truncated to (-2, 2), by redrawing from further runs of the element's stream
/// (as tf.random.truncated_normal does), deterministic for (seed, run, index).
NABLA_HD double truncated_normal(uint64_t seed, uint64_t run, uint64_t index) {
  for (uint64_t attempt = 0;; ++attempt) {
    const double z = normal(seed ^ (attempt * 0x9E3779B97F4A7C15ull), run, index);
    if (z > -2.0 && z < 2.0) return z;
  }
}

/// Mixes a user seed and an op seed into one key (splitmix64).
NABLA_HD uint64_t mix_seed(uint64_t a, uint64_t b) {
  uint64_t z = a + 0x9E3779B97F4A7C15ull * (b + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

}  // namespace nabla::philox
