// nabla's float32 matrix product as framework/cpu/matmul.cc chose it before the GEMM providers:
// the AVX-512 kernel (framework/cpu/sgemm.cc, compiled into this executable) where the build
// has AVX-512, else Eigen's single-threaded product (framework/cpu/gemm_eigen.cc, likewise).
#include "framework/cpu/gemm_provider.h"
#include "framework/cpu/sgemm.h"
#include "provider.h"

namespace nabla::bench {
namespace {

class NablaGemm final : public GemmProvider {
 public:
  std::string name() const override { return "nabla-old"; }
  std::string info() const override {
    return cpu::have_fast_sgemm() ? "AVX-512 kernel" : "no AVX-512: Eigen fallback";
  }
  bool has_threads() const override { return false; }
  void set_threads(int) override {}
  void gemm(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, bool ta, const float* b,
            int64_t ldb, bool tb, float* c, int64_t ldc) override {
    if (cpu::have_fast_sgemm())
      cpu::sgemm(m, n, k, a, lda, ta, b, ldb, tb, c, ldc, scratch_);
    else
      cpu::eigen_sgemm(m, n, k, a, lda, ta, b, ldb, tb, c, ldc);
  }

 private:
  cpu::SgemmScratch scratch_;  // the kernel's packing buffers, reused across calls
};

}  // namespace

std::unique_ptr<GemmProvider> make_provider() {
  return std::make_unique<NablaGemm>();
}

}  // namespace nabla::bench
