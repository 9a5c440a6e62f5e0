// A float32 matrix product tuned for AVX-512 (nabla's MatMul on the CPU for float32).
#pragma once

#include <cstdint>

namespace nabla::cpu {

/// True when this build has the AVX-512 kernel (compiled with -march supporting AVX-512F).
bool have_fast_sgemm();

/// Packing buffers of sgemm, grown to the largest block they have packed and then reused, so
/// that repeated products of the same shapes allocate nothing. Owned by the caller: one per
/// block of a parallel product (by block index, not by thread), so which thread happens to run
/// which block never changes what is allocated when.
struct SgemmScratch {
  SgemmScratch() = default;
  ~SgemmScratch();
  SgemmScratch(const SgemmScratch&) = delete;
  SgemmScratch& operator=(const SgemmScratch&) = delete;
  float* a = nullptr;
  float* b = nullptr;
  int64_t b_size = 0;
};

/// C[m, n] = op(A)[m, k] · op(B)[k, n], row-major, where op transposes when asked: A is
/// [m, k] (lda = k) or, with trans_a, [k, m] (lda = m); likewise B. `a`, `b` and `c` may point
/// into larger matrices: lda/ldb/ldc are their row strides. Single-threaded; callers split the
/// output across threads.
void sgemm(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, bool trans_a,
           const float* b, int64_t ldb, bool trans_b, float* c, int64_t ldc, SgemmScratch& scratch);

}  // namespace nabla::cpu
