// Eigen 3 directly: a mapped row-major product, with OpenMP for its own threads.
#include <Eigen/Core>

#include "provider.h"

namespace nabla::bench {
namespace {

using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Stride = Eigen::OuterStride<>;
using Map = Eigen::Map<const RowMat, 0, Stride>;

class EigenGemm final : public GemmProvider {
 public:
  std::string name() const override { return "eigen"; }
  std::string info() const override {
    return "Eigen " + std::to_string(EIGEN_WORLD_VERSION) + "." +
           std::to_string(EIGEN_MAJOR_VERSION) + "." + std::to_string(EIGEN_MINOR_VERSION) +
           ", SIMD " + Eigen::SimdInstructionSetsInUse();
  }
  void set_threads(int n) override { Eigen::setNbThreads(n); }
  void gemm(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, bool ta, const float* b,
            int64_t ldb, bool tb, float* c, int64_t ldc) override {
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
  return std::make_unique<EigenGemm>();
}

}  // namespace nabla::bench
