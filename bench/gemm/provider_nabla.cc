// nabla's float32 matrix product as framework/cpu/matmul.cc chose it before the GEMM providers:
// the AVX-512 kernel (framework/cpu/sgemm.cc, compiled into this executable) where the build
// has AVX-512, else Eigen's single-threaded product.
#include <Eigen/Core>

#include "framework/cpu/sgemm.h"
#include "provider.h"

namespace nabla::bench {
namespace {

using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Stride = Eigen::OuterStride<>;
using Map = Eigen::Map<const RowMat, 0, Stride>;

class NablaGemm final : public GemmProvider {
 public:
  std::string name() const override { return "nabla-old"; }
  std::string info() const override {
    return cpu::have_fast_sgemm() ? "AVX-512 kernel" : "no AVX-512: Eigen fallback";
  }
  bool has_threads() const override { return false; }
  /// The kernel's packing buffers, reused across calls.
  cpu::SgemmScratch scratch_;
  void set_threads(int) override {}
  void gemm(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, bool ta, const float* b,
            int64_t ldb, bool tb, float* c, int64_t ldc) override {
    if (cpu::have_fast_sgemm()) {
      cpu::sgemm(m, n, k, a, lda, ta, b, ldb, tb, c, ldc, scratch_);
      return;
    }
    Map A(a, ta ? k : m, ta ? m : k, Stride(lda));
    Map B(b, tb ? n : k, tb ? k : n, Stride(ldb));
    Eigen::Map<RowMat, 0, Stride> C(c, m, n, Stride(ldc));
    if (!ta && !tb) C.noalias() = A * B;
    if (ta && !tb) C.noalias() = A.transpose() * B;
    if (!ta && tb) C.noalias() = A * B.transpose();
    if (ta && tb) C.noalias() = A.transpose() * B.transpose();
  }
};

}  // namespace

std::unique_ptr<GemmProvider> make_provider() {
  return std::make_unique<NablaGemm>();
}

}  // namespace nabla::bench
