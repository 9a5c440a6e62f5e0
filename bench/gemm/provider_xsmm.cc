// libxsmm's JIT kernels, made for small products: the output is tiled in 64x64 blocks (its
// largest specialised size), each block one generated kernel over the whole depth. libxsmm is
// column-major, so row-major C = op(A)·op(B) is computed as Cᵀ = op(B)ᵀ·op(A)ᵀ.
#include <libxsmm.h>

#include <algorithm>

#include "provider.h"

namespace nabla::bench {
namespace {

constexpr int64_t kTile = 64;

class XsmmGemm final : public GemmProvider {
 public:
  XsmmGemm() { libxsmm_init(); }
  ~XsmmGemm() override { libxsmm_finalize(); }
  std::string name() const override { return "libxsmm"; }
  std::string info() const override {
    return std::string("libxsmm ") + LIBXSMM_VERSION + ", target " + libxsmm_get_target_arch() +
           ", 64x64 tiles";
  }
  bool has_threads() const override { return false; }
  void set_threads(int) override {}
  // libxsmm 1.17's JIT returns kernels for transposed operands that crash on this machine
  // (AVX2): the transposed forms are reported as unsupported.
  bool supports(bool ta, bool tb) const override { return !ta && !tb; }
  void gemm(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, bool ta, const float* b,
            int64_t ldb, bool tb, float* c, int64_t ldc) override {
    for (int64_t i0 = 0; i0 < m; i0 += kTile) {
      const int64_t mt = std::min(kTile, m - i0);
      for (int64_t j0 = 0; j0 < n; j0 += kTile) {
        const int64_t nt = std::min(kTile, n - j0);
        // libxsmm's A is op(B)ᵀ (nt x k), its B is op(A)ᵀ (k x mt), its C is Cᵀ (nt x mt).
        const libxsmm_smmfunction f = kernel(nt, mt, k, ldb, lda, ldc, tb, ta);
        f(tb ? b + j0 * ldb : b + j0, ta ? a + i0 : a + i0 * lda, c + i0 * ldc + j0);
      }
    }
  }

 private:
  static libxsmm_smmfunction kernel(int64_t m, int64_t n, int64_t k, int64_t lda, int64_t ldb,
                                    int64_t ldc, bool trans_a, bool trans_b) {
    const libxsmm_blasint lda_ = lda, ldb_ = ldb, ldc_ = ldc;
    const int flags =
        (trans_a ? LIBXSMM_GEMM_FLAG_TRANS_A : 0) | (trans_b ? LIBXSMM_GEMM_FLAG_TRANS_B : 0);
    const float alpha = 1.f, beta = 0.f;
    return libxsmm_smmdispatch(m, n, k, &lda_, &ldb_, &ldc_, &alpha, &beta, &flags, nullptr);
  }
};

}  // namespace

std::unique_ptr<GemmProvider> make_provider() {
  return std::make_unique<XsmmGemm>();
}

}  // namespace nabla::bench
