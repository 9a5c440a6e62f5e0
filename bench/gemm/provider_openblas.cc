// OpenBLAS through CBLAS (row-major), its own pthreads for several threads. Built twice: as the
// library documents the call (beta = 0, "openblas"), and with NABLA_GEMM_AS_NABLA_CALLS_IT as
// framework/cpu/gemm_openblas.cc calls it (C cleared by memset, then beta = 1: "ob+memset").
#include <cblas.h>

#include "provider.h"

#ifndef NABLA_GEMM_AS_NABLA_CALLS_IT
#define NABLA_GEMM_AS_NABLA_CALLS_IT 0
#endif
#if NABLA_GEMM_AS_NABLA_CALLS_IT

namespace nabla::cpu {
void openblas_sgemm(int64_t, int64_t, int64_t, const float*, int64_t, bool, const float*, int64_t,
                    bool, float*, int64_t);
}
#endif

extern "C" char* openblas_get_corename(void);
extern "C" char* openblas_get_config(void);

namespace nabla::bench {
namespace {

class OpenBlasGemm final : public GemmProvider {
 public:
  std::string name() const override {
    return NABLA_GEMM_AS_NABLA_CALLS_IT ? "ob+memset" : "openblas";
  }
  std::string info() const override {
    return std::string("core ") + openblas_get_corename() + ", " + openblas_get_config();
  }
  void set_threads(int n) override { openblas_set_num_threads(n); }
  void gemm(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, bool ta, const float* b,
            int64_t ldb, bool tb, float* c, int64_t ldc) override {
#if NABLA_GEMM_AS_NABLA_CALLS_IT
    cpu::openblas_sgemm(m, n, k, a, lda, ta, b, ldb, tb, c, ldc);
    return;
#endif
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n,
                k, 1.f, a, lda, b, ldb, 0.f, c, ldc);
  }
};

}  // namespace

std::unique_ptr<GemmProvider> make_provider() {
  return std::make_unique<OpenBlasGemm>();
}

}  // namespace nabla::bench
