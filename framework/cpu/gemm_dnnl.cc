// oneDNN's dnnl_sgemm as a GEMM provider (cmake/gemm.cmake, opt-in). Its threads are OpenMP's,
// counted per calling thread, so each pool thread asks it for one thread on its first call.
#include <dnnl.h>
#include <omp.h>

#include "framework/cpu/gemm_provider.h"

namespace nabla::cpu {

/// Called once when oneDNN becomes the provider.
void dnnl_init() {}

void dnnl_provider_sgemm(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, bool ta,
                         const float* b, int64_t ldb, bool tb, float* c, int64_t ldc) {
  static thread_local bool single = (omp_set_num_threads(1), true);
  (void)single;
  dnnl_sgemm(ta ? 'T' : 'N', tb ? 'T' : 'N', m, n, k, 1.f, a, lda, b, ldb, 0.f, c, ldc);
}

}  // namespace nabla::cpu
