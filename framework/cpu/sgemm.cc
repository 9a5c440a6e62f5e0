// SGEMM in the BLIS style: B is packed in panels of 32 columns, A in panels of 8 rows, and an
// 8x32 micro-kernel keeps 16 AVX-512 accumulators busy (two FMA pipes, 4-cycle latency need at
// least 8 independent chains). Packing makes every inner-loop load contiguous whatever the
// transposes, so the four transpose forms run at the same speed and no transposed copy of a
// whole matrix is ever made.
#include "framework/cpu/sgemm.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace nabla::cpu {

SgemmScratch::~SgemmScratch() {
  std::free(a);
  std::free(b);
}

#if defined(__AVX512F__)
namespace {

constexpr int64_t kMR = 8;    // rows of C per micro-kernel
constexpr int64_t kNR = 32;   // columns of C per micro-kernel (two zmm)
constexpr int64_t kKC = 256;  // depth of one packed block: B panel 256x32 floats = 32 KiB (L1)
constexpr int64_t kMC = 128;  // rows of A packed at once: 128x256 floats = 128 KiB (L2)

// Packs rows [0, mc) x depth [0, kc) of op(A) as panels of kMR rows: panel[p * kMR + r].
// Rows past mc are zero, so the micro-kernel needs no row edge case.
void pack_a(const float* a, int64_t lda, bool trans, int64_t mc, int64_t kc, float* out) {
  for (int64_t i0 = 0; i0 < mc; i0 += kMR) {
    const int64_t rows = std::min(kMR, mc - i0);
    for (int64_t p = 0; p < kc; ++p) {
      for (int64_t r = 0; r < rows; ++r)
        out[r] = trans ? a[p * lda + i0 + r] : a[(i0 + r) * lda + p];
      for (int64_t r = rows; r < kMR; ++r) out[r] = 0.f;
      out += kMR;
    }
  }
}

// Packs depth [0, kc) x columns [0, nc) of op(B) as panels of kNR columns: panel[p * kNR + j].
void pack_b(const float* b, int64_t ldb, bool trans, int64_t kc, int64_t nc, float* out) {
  for (int64_t j0 = 0; j0 < nc; j0 += kNR) {
    const int64_t cols = std::min(kNR, nc - j0);
    for (int64_t p = 0; p < kc; ++p) {
      if (!trans && cols == kNR) {
        std::memcpy(out, b + p * ldb + j0, kNR * sizeof(float));
      } else {
        for (int64_t j = 0; j < cols; ++j)
          out[j] = trans ? b[(j0 + j) * ldb + p] : b[p * ldb + j0 + j];
        for (int64_t j = cols; j < kNR; ++j) out[j] = 0.f;
      }
      out += kNR;
    }
  }
}

// C[0..rows, 0..cols] (+)= packed A panel (kMR x kc) x packed B panel (kc x kNR).
void micro_kernel(int64_t kc, const float* pa, const float* pb, float* c, int64_t ldc, int64_t rows,
                  int64_t cols, bool accumulate) {
  __m512 acc[kMR][2];
  for (int64_t r = 0; r < kMR; ++r) acc[r][0] = acc[r][1] = _mm512_setzero_ps();
  for (int64_t p = 0; p < kc; ++p) {
    const __m512 b0 = _mm512_load_ps(pb), b1 = _mm512_load_ps(pb + 16);
#pragma GCC unroll 8
    for (int64_t r = 0; r < kMR; ++r) {
      const __m512 a = _mm512_set1_ps(pa[r]);
      acc[r][0] = _mm512_fmadd_ps(a, b0, acc[r][0]);
      acc[r][1] = _mm512_fmadd_ps(a, b1, acc[r][1]);
    }
    pa += kMR;
    pb += kNR;
  }
  const __mmask16 m0 = cols >= 16 ? 0xFFFF : static_cast<__mmask16>((1u << cols) - 1);
  const __mmask16 m1 = cols >= 32   ? 0xFFFF
                       : cols <= 16 ? 0
                                    : static_cast<__mmask16>((1u << (cols - 16)) - 1);
  for (int64_t r = 0; r < rows; ++r) {
    float* row = c + r * ldc;
    __m512 v0 = acc[r][0], v1 = acc[r][1];
    if (accumulate) {
      v0 = _mm512_add_ps(v0, _mm512_maskz_loadu_ps(m0, row));
      v1 = _mm512_add_ps(v1, _mm512_maskz_loadu_ps(m1, row + 16));
    }
    _mm512_mask_storeu_ps(row, m0, v0);
    _mm512_mask_storeu_ps(row + 16, m1, v1);
  }
}

}  // namespace

bool have_fast_sgemm() {
  return true;
}

void sgemm(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, bool trans_a,
           const float* b, int64_t ldb, bool trans_b, float* c, int64_t ldc, SgemmScratch& buf) {
  // The caller's buffers grow once per block shape: a training step allocates nothing.
  if (!buf.a) buf.a = static_cast<float*>(std::aligned_alloc(64, kMC * kKC * sizeof(float)));
  const int64_t n_padded = (n + kNR - 1) / kNR * kNR;
  if (buf.b_size < kKC * n_padded) {
    std::free(buf.b);
    buf.b_size = kKC * n_padded;
    buf.b = static_cast<float*>(std::aligned_alloc(64, buf.b_size * sizeof(float)));
  }
  if (k == 0) {
    for (int64_t i = 0; i < m; ++i) std::fill(c + i * ldc, c + i * ldc + n, 0.f);
    return;
  }
  for (int64_t p0 = 0; p0 < k; p0 += kKC) {
    const int64_t kc = std::min(kKC, k - p0);
    pack_b(trans_b ? b + p0 : b + p0 * ldb, ldb, trans_b, kc, n, buf.b);
    for (int64_t i0 = 0; i0 < m; i0 += kMC) {
      const int64_t mc = std::min(kMC, m - i0);
      pack_a(trans_a ? a + p0 * lda + i0 : a + i0 * lda + p0, lda, trans_a, mc, kc, buf.a);
      for (int64_t j0 = 0; j0 < n; j0 += kNR) {
        const float* pb = buf.b + (j0 / kNR) * kc * kNR;
        for (int64_t ir = 0; ir < mc; ir += kMR)
          micro_kernel(kc, buf.a + (ir / kMR) * kc * kMR, pb, c + (i0 + ir) * ldc + j0, ldc,
                       std::min(kMR, mc - ir), std::min(kNR, n - j0), p0 > 0);
      }
    }
  }
}

#else

bool have_fast_sgemm() {
  return false;
}
void sgemm(int64_t, int64_t, int64_t, const float*, int64_t, bool, const float*, int64_t, bool,
           float*, int64_t, SgemmScratch&) {}

#endif

}  // namespace nabla::cpu
