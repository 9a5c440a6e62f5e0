// OpenBLAS through CBLAS (row-major), its own pthreads for several threads.
#include <cblas.h>

#include "provider.h"

extern "C" char* openblas_get_corename(void);
extern "C" char* openblas_get_config(void);

namespace nabla::bench {
namespace {

class OpenBlasGemm final : public GemmProvider {
 public:
  std::string name() const override { return "openblas"; }
  std::string info() const override {
    return std::string("core ") + openblas_get_corename() + ", " + openblas_get_config();
  }
  void set_threads(int n) override { openblas_set_num_threads(n); }
  void gemm(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, bool ta, const float* b,
            int64_t ldb, bool tb, float* c, int64_t ldc) override {
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n,
                k, 1.f, a, lda, b, ldb, 0.f, c, ldc);
  }
};

}  // namespace

std::unique_ptr<GemmProvider> make_provider() {
  return std::make_unique<OpenBlasGemm>();
}

}  // namespace nabla::bench
