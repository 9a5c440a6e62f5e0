// OpenBLAS as a GEMM provider, compiled when the build finds it (cmake/gemm.cmake). Its own
// threads are turned off: nabla's pool splits the output and calls it single-threaded.
#include <cblas.h>

#include "framework/cpu/gemm_provider.h"

namespace nabla::cpu {

/// Called once when OpenBLAS becomes the provider.
void openblas_init() {
  openblas_set_num_threads(1);
}

void openblas_sgemm(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, bool ta,
                    const float* b, int64_t ldb, bool tb, float* c, int64_t ldc) {
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
              static_cast<blasint>(m), static_cast<blasint>(n), static_cast<blasint>(k), 1.f, a,
              static_cast<blasint>(lda), b, static_cast<blasint>(ldb), 0.f, c,
              static_cast<blasint>(ldc));
}

}  // namespace nabla::cpu
