// Products too small for a GEMM library: a library packs both operands into panels before it
// multiplies, which for the tiny model's 32x2·2x16 costs more than the product, and for one row
// of output (predict of a single sample) reads B twice. These loops read each operand once.
#include <algorithm>

#include "framework/cpu/gemm_provider.h"

namespace nabla::cpu {
namespace {

template <bool TA, bool TB>
void small(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b,
           int64_t ldb, float* c, int64_t ldc) {
  auto at = [=](int64_t i, int64_t p) { return TA ? a[p * lda + i] : a[i * lda + p]; };
  for (int64_t i = 0; i < m; ++i) {
    float* __restrict ci = c + i * ldc;
    if (TB || n == 1) {
      // One dot product per entry of C: B's column j is row j of B stored [n, k] (or, for one
      // column, every ldb-th float).
      const int64_t step = TB ? 1 : ldb;
      for (int64_t j = 0; j < n; ++j) {
        const float* bj = TB ? b + j * ldb : b + j;
        float s = 0.f;
        for (int64_t p = 0; p < k; ++p) s += at(i, p) * bj[p * step];
        ci[j] = s;
      }
      continue;
    }
    // C row i = sum over p of A(i, p) · B row p, four rows of B at a time so that each pass
    // over C's row does four multiply-adds per element (the loops vectorize over j).
    std::fill(ci, ci + n, 0.f);
    int64_t p = 0;
    for (; p + 4 <= k; p += 4) {
      const float a0 = at(i, p), a1 = at(i, p + 1), a2 = at(i, p + 2), a3 = at(i, p + 3);
      const float* __restrict b0 = b + p * ldb;
      const float* __restrict b1 = b0 + ldb;
      const float* __restrict b2 = b1 + ldb;
      const float* __restrict b3 = b2 + ldb;
      for (int64_t j = 0; j < n; ++j) ci[j] += a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j];
    }
    for (; p < k; ++p) {
      const float a0 = at(i, p);
      const float* __restrict b0 = b + p * ldb;
      for (int64_t j = 0; j < n; ++j) ci[j] += a0 * b0[j];
    }
  }
}

}  // namespace

bool is_small_gemm(int64_t m, int64_t n, int64_t k) {
  constexpr int64_t kSmallVolume = 32768;  // multiply-adds; a few µs of work at most
  return m == 1 || m * n * k <= kSmallVolume;
}

void small_sgemm(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, bool ta,
                 const float* b, int64_t ldb, bool tb, float* c, int64_t ldc) {
  if (!ta && !tb) small<false, false>(m, n, k, a, lda, b, ldb, c, ldc);
  if (ta && !tb) small<true, false>(m, n, k, a, lda, b, ldb, c, ldc);
  if (!ta && tb) small<false, true>(m, n, k, a, lda, b, ldb, c, ldc);
  if (ta && tb) small<true, true>(m, n, k, a, lda, b, ldb, c, ldc);
}

}  // namespace nabla::cpu
