// Eigen's single-threaded GEMM on strided row-major operands: the provider every build has.
// Transposed operands are mapped, never copied.

// Eigen packs GEMM panels in a buffer on the stack up to this size (else on the heap): a
// training step must not allocate, and the panels of the shapes in question fit easily.
#define EIGEN_STACK_ALLOCATION_LIMIT (2 * 1024 * 1024)

#include <Eigen/Core>

#include "framework/cpu/gemm_provider.h"

namespace nabla::cpu {
namespace {

template <class T>
void eigen_gemm(int64_t m, int64_t n, int64_t k, const T* a, int64_t lda, bool ta, const T* b,
                int64_t ldb, bool tb, T* c, int64_t ldc) {
  using RowMat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  using Stride = Eigen::OuterStride<>;
  Eigen::Map<const RowMat, 0, Stride> A(a, ta ? k : m, ta ? m : k, Stride(lda));
  Eigen::Map<const RowMat, 0, Stride> B(b, tb ? n : k, tb ? k : n, Stride(ldb));
  Eigen::Map<RowMat, 0, Stride> C(c, m, n, Stride(ldc));
  if (!ta && !tb) C.noalias() = A * B;
  if (ta && !tb) C.noalias() = A.transpose() * B;
  if (!ta && tb) C.noalias() = A * B.transpose();
  if (ta && tb) C.noalias() = A.transpose() * B.transpose();
}

}  // namespace

void eigen_sgemm(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, bool ta,
                 const float* b, int64_t ldb, bool tb, float* c, int64_t ldc) {
  eigen_gemm(m, n, k, a, lda, ta, b, ldb, tb, c, ldc);
}

void eigen_dgemm(int64_t m, int64_t n, int64_t k, const double* a, int64_t lda, bool ta,
                 const double* b, int64_t ldb, bool tb, double* c, int64_t ldc) {
  eigen_gemm(m, n, k, a, lda, ta, b, ldb, tb, c, ldc);
}

}  // namespace nabla::cpu
