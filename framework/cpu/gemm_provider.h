// Where nabla's CPU matrix products come from: a GEMM provider (a library, or nabla's own
// AVX-512 kernel), chosen among those compiled in. Internal to the CPU backend.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace nabla::cpu {

/// C[m, n] = op(A)[m, k] · op(B)[k, n], row-major with row strides lda/ldb/ldc, where op(A) is
/// A stored [k, m] when trans_a (likewise B). Single-threaded: the caller splits the output over
/// nabla's thread pool, so every provider runs under the pool's threads only.
template <class T>
using GemmFn = void (*)(int64_t m, int64_t n, int64_t k, const T* a, int64_t lda, bool trans_a,
                        const T* b, int64_t ldb, bool trans_b, T* c, int64_t ldc);

/// One source of float32 matrix products.
struct GemmProvider {
  /// The name NABLA_GEMM selects it by: native, openblas, blis, dnnl or eigen.
  const char* name;
  /// Its single-threaded product.
  GemmFn<float> sgemm;
};

/// The provider of float32 products: the one NABLA_GEMM names, else the first of
/// gemm_provider_names(). Chosen once per process; ValueError when NABLA_GEMM names one that
/// this build or CPU lacks.
const GemmProvider& gemm_provider();

/// The provider called `name` (the default when empty), initialised for single-threaded calls;
/// ValueError naming the available ones when this build or CPU lacks it.
const GemmProvider& gemm_provider_named(const std::string& name);

/// Providers this build can use on this CPU, the default first.
std::vector<std::string> gemm_provider_names();

/// Whether an m x n x k product is better left to small_sgemm whatever the provider: one row of
/// output (Eigen's matrix-vector product; a library packs B first) or so few multiply-adds that
/// a library's packing and dispatch cost more than the product (measured in bench/README.md).
bool is_small_gemm(int64_t m, int64_t n, int64_t k);

/// The products is_small_gemm accepts, with the arguments of GemmFn: direct loops over the
/// operands where they lie for up to 32,768 multiply-adds (gemm_small.cc), Eigen's
/// matrix-vector product for a longer single row and for the few layouts the loops leave out.
void small_sgemm(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, bool trans_a,
                 const float* b, int64_t ldb, bool trans_b, float* c, int64_t ldc);

/// Eigen's products (always available; float64 products always use Eigen).
void eigen_sgemm(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, bool trans_a,
                 const float* b, int64_t ldb, bool trans_b, float* c, int64_t ldc);
/// Eigen's float64 product, with the same arguments as eigen_sgemm.
void eigen_dgemm(int64_t m, int64_t n, int64_t k, const double* a, int64_t lda, bool trans_a,
                 const double* b, int64_t ldb, bool trans_b, double* c, int64_t ldc);

}  // namespace nabla::cpu
