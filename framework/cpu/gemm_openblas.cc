// OpenBLAS as a GEMM provider, compiled when the build finds it (cmake/gemm.cmake). Its own
// threads are turned off: nabla's pool splits the output and calls it single-threaded.
#include <cblas.h>

#include <cstring>

#include "framework/cpu/gemm_provider.h"

namespace nabla::cpu {

/// Called once when OpenBLAS becomes the provider.
void openblas_init() {
  openblas_set_num_threads(1);
}

// C is cleared here and the product added to it (beta = 1): for beta = 0 OpenBLAS clears C in a
// pass of its own that is slower than memset, 3-7% of a product at the reference workload's
// gradient shapes (bench/README.md).
void openblas_sgemm(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, bool ta,
                    const float* b, int64_t ldb, bool tb, float* c, int64_t ldc) {
  if (ldc == n) {
    std::memset(c, 0, static_cast<size_t>(m * n) * sizeof(float));
  } else {
    for (int64_t i = 0; i < m; ++i)
      std::memset(c + i * ldc, 0, static_cast<size_t>(n) * sizeof(float));
  }
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
              static_cast<blasint>(m), static_cast<blasint>(n), static_cast<blasint>(k), 1.f, a,
              static_cast<blasint>(lda), b, static_cast<blasint>(ldb), 1.f, c,
              static_cast<blasint>(ldc));
}

}  // namespace nabla::cpu
