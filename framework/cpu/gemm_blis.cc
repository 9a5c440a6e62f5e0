// BLIS as a GEMM provider (cmake/gemm.cmake, opt-in). Only BLIS's own typed API is called:
// its CBLAS symbols are the same as OpenBLAS's. Strides express the layout and the transposes.
#include <blis.h>

#include "framework/cpu/gemm_provider.h"

namespace nabla::cpu {

/// Called once when BLIS becomes the provider: single-threaded, nabla's pool splits.
void blis_init() {
  bli_thread_set_num_threads(1);
}

void blis_sgemm(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, bool ta,
                const float* b, int64_t ldb, bool tb, float* c, int64_t ldc) {
  float one = 1.f, zero = 0.f;
  // op(A)(i, p) = a[i * rs + p * cs]: A stored [k, m] swaps the strides.
  bli_sgemm(BLIS_NO_TRANSPOSE, BLIS_NO_TRANSPOSE, m, n, k, &one, const_cast<float*>(a),
            ta ? 1 : lda, ta ? lda : 1, const_cast<float*>(b), tb ? 1 : ldb, tb ? ldb : 1, &zero, c,
            ldc, 1);
}

}  // namespace nabla::cpu
