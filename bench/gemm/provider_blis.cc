// BLIS's typed API: general strides express both the row-major layout and the transposes.
#include <blis.h>

#include "provider.h"

namespace nabla::bench {
namespace {

class BlisGemm final : public GemmProvider {
 public:
  std::string name() const override { return "blis"; }
  std::string info() const override {
    return std::string("BLIS ") + bli_info_get_version_str() + ", sub-configuration " +
           bli_arch_string(bli_arch_query_id());
  }
  void set_threads(int n) override { bli_thread_set_num_threads(n); }
  void gemm(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, bool ta, const float* b,
            int64_t ldb, bool tb, float* c, int64_t ldc) override {
    float one = 1.f, zero = 0.f;
    // op(A)(i, p) = a[i * rs_a + p * cs_a]: a stored [k, m] swaps the strides.
    const inc_t rs_a = ta ? 1 : lda, cs_a = ta ? lda : 1;
    const inc_t rs_b = tb ? 1 : ldb, cs_b = tb ? ldb : 1;
    bli_sgemm(BLIS_NO_TRANSPOSE, BLIS_NO_TRANSPOSE, m, n, k, &one, const_cast<float*>(a), rs_a,
              cs_a, const_cast<float*>(b), rs_b, cs_b, &zero, c, ldc, 1);
  }
};

}  // namespace

std::unique_ptr<GemmProvider> make_provider() {
  return std::make_unique<BlisGemm>();
}

}  // namespace nabla::bench
