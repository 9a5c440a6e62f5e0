// The choice of GEMM provider: the providers this build was compiled with (cmake/gemm.cmake
// defines NABLA_GEMM_<NAME> for each), in the order measured best (bench/README.md), and the
// NABLA_GEMM variable to pick another one to compare.
#include "framework/cpu/gemm_provider.h"

#include <cstdlib>

#include "framework/core/errors.h"
#include "framework/cpu/sgemm.h"

namespace nabla::cpu {

#if NABLA_GEMM_OPENBLAS
void openblas_init();
void openblas_sgemm(int64_t, int64_t, int64_t, const float*, int64_t, bool, const float*, int64_t,
                    bool, float*, int64_t);
#endif
#if NABLA_GEMM_BLIS
void blis_init();
void blis_sgemm(int64_t, int64_t, int64_t, const float*, int64_t, bool, const float*, int64_t, bool,
                float*, int64_t);
#endif
#if NABLA_GEMM_DNNL
void dnnl_init();
void dnnl_provider_sgemm(int64_t, int64_t, int64_t, const float*, int64_t, bool, const float*,
                         int64_t, bool, float*, int64_t);
#endif

namespace {

struct Entry {
  GemmProvider provider;
  void (*init)();
  bool available;
};

void no_init() {}

// nabla's own kernel behind the providers' signature, with packing buffers per calling thread
// (the matrix product kernel passes its own per-block buffers instead; see matmul.cc).
void native_sgemm(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, bool trans_a,
                  const float* b, int64_t ldb, bool trans_b, float* c, int64_t ldc) {
  thread_local SgemmScratch scratch;
  sgemm(m, n, k, a, lda, trans_a, b, ldb, trans_b, c, ldc, scratch);
}

// Preference order. nabla's AVX-512 kernel first where the CPU has it (it beat Eigen by 20-30%
// on Zen 5); then OpenBLAS, 25-30% faster than Eigen on Zen 3 with no allocation per call; BLIS
// and oneDNN are opt-in (see cmake/gemm.cmake); Eigen always last.
std::vector<Entry> entries() {
  std::vector<Entry> e;
  e.push_back({{"native", native_sgemm}, no_init, have_fast_sgemm()});
#if NABLA_GEMM_OPENBLAS
  e.push_back({{"openblas", openblas_sgemm}, openblas_init, true});
#endif
#if NABLA_GEMM_BLIS
  e.push_back({{"blis", blis_sgemm}, blis_init, true});
#endif
#if NABLA_GEMM_DNNL
  e.push_back({{"dnnl", dnnl_provider_sgemm}, dnnl_init, true});
#endif
  e.push_back({{"eigen", eigen_sgemm}, no_init, true});
  return e;
}

}  // namespace

const GemmProvider& gemm_provider_named(const std::string& name) {
  static const std::vector<Entry> all = entries();
  for (const Entry& e : all) {
    if (e.available && (name.empty() || name == e.provider.name)) {
      e.init();
      return e.provider;
    }
  }
  std::string names;
  for (const std::string& n : gemm_provider_names()) names += (names.empty() ? "" : ", ") + n;
  throw ValueError("NABLA_GEMM=" + name + ": no such GEMM provider in this build on this CPU " +
                   "(available: " + names + ")");
}

const GemmProvider& gemm_provider() {
  static const GemmProvider& chosen = []() -> const GemmProvider& {
    const char* env = std::getenv("NABLA_GEMM");
    // NABLA_SGEMM=eigen was the switch before providers; it still means Eigen.
    const char* old = std::getenv("NABLA_SGEMM");
    return gemm_provider_named(env ? env : old ? old : "");
  }();
  return chosen;
}

std::vector<std::string> gemm_provider_names() {
  std::vector<std::string> names;
  for (const Entry& e : entries())
    if (e.available) names.push_back(e.provider.name);
  return names;
}

}  // namespace nabla::cpu
