// Eigen 3 as the library calls it (framework/cpu/gemm_eigen.cc, compiled into this executable),
// with OpenMP for Eigen's own threads.
#include <Eigen/Core>

#include "framework/cpu/gemm_provider.h"
#include "provider.h"

namespace nabla::bench {
namespace {

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
    cpu::eigen_sgemm(m, n, k, a, lda, ta, b, ldb, tb, c, ldc);
  }
};

}  // namespace

std::unique_ptr<GemmProvider> make_provider() {
  return std::make_unique<EigenGemm>();
}

}  // namespace nabla::bench
