// One GEMM library behind a common face, for the library comparison in bench/gemm. Each
// library gets its own executable (provider_<name>.cc + gemm_bench.cc): OpenBLAS and BLIS both
// export cblas_sgemm, so two of them in one process would silently call the same code.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace nabla::bench {

/// A float32 matrix product from one library.
class GemmProvider {
 public:
  virtual ~GemmProvider() = default;
  /// Short name printed in the table (e.g. "openblas").
  virtual std::string name() const = 0;
  /// What the library chose at run time (kernel, ISA, version), for the header line.
  virtual std::string info() const { return ""; }
  /// Whether the library can run one product on several threads of its own.
  virtual bool has_threads() const { return true; }
  /// Sets how many threads the library's own calls use, from the calling thread (OpenMP
  /// libraries keep this per thread, so every thread that calls the library sets it).
  virtual void set_threads(int n) = 0;
  /// Whether this transpose form is supported (false prints "n/a").
  virtual bool supports(bool trans_a, bool trans_b) const { return true; }
  /// C[m, n] = op(A)[m, k] · op(B)[k, n], row-major with row strides lda/ldb/ldc; op(A) is
  /// A stored [k, m] when trans_a, likewise B.
  virtual void gemm(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, bool trans_a,
                    const float* b, int64_t ldb, bool trans_b, float* c, int64_t ldc) = 0;
};

/// The provider of this executable (defined by its provider_<name>.cc).
std::unique_ptr<GemmProvider> make_provider();

}  // namespace nabla::bench
