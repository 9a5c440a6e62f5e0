// The GEMM providers of the CPU backend: every provider this build has computes every transpose
// form, with row strides wider than the matrices, as a double-precision reference does; an
// unknown provider name is a ValueError that lists the available ones; which products count as
// small, and that the small products' loops compute every layout they take or hand on.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "framework/core/errors.h"
#include "framework/cpu/gemm_provider.h"

using nabla::cpu::gemm_provider_named;
using nabla::cpu::gemm_provider_names;

namespace {

// Largest |C - reference| over all entries of C = op(A)·op(B), each operand and C stored with
// 3 extra floats per row (which must be left alone: checked by `untouched`).
double worst_error(nabla::cpu::GemmFn<float> sgemm, int64_t m, int64_t n, int64_t k, bool ta,
                   bool tb, bool& untouched) {
  std::mt19937 rng(static_cast<unsigned>(m * 31 + n * 7 + k));
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  const int64_t pad = 3;
  const int64_t a_rows = ta ? k : m, a_cols = ta ? m : k;
  const int64_t b_rows = tb ? n : k, b_cols = tb ? k : n;
  const int64_t lda = a_cols + pad, ldb = b_cols + pad, ldc = n + pad;
  std::vector<float> a(a_rows * lda), b(b_rows * ldb), c(m * ldc, 42.f);
  for (float& x : a) x = u(rng);
  for (float& x : b) x = u(rng);
  sgemm(m, n, k, a.data(), lda, ta, b.data(), ldb, tb, c.data(), ldc);
  double worst = 0;
  untouched = true;
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      double ref = 0;
      for (int64_t q = 0; q < k; ++q)
        ref += double(ta ? a[q * lda + i] : a[i * lda + q]) *
               double(tb ? b[j * ldb + q] : b[q * ldb + j]);
      worst = std::max(worst, std::abs(ref - c[i * ldc + j]));
    }
    for (int64_t j = n; j < ldc; ++j) untouched = untouched && c[i * ldc + j] == 42.f;
  }
  return worst;
}

}  // namespace

TEST_CASE("every GEMM provider computes every transpose form with strides") {
  const std::vector<std::string> names = gemm_provider_names();
  REQUIRE(!names.empty());
  CHECK(names.back() == "eigen");
  for (const std::string& name : names) {
    const nabla::cpu::GemmProvider& p = gemm_provider_named(name);
    CHECK(std::string(p.name) == name);
    // Odd sizes cross every library's blocking edges; 1 x 1 and k = 1 are the degenerate ends.
    const int64_t shapes[][3] = {{37, 45, 70}, {1, 1, 1}, {5, 130, 1}, {129, 17, 300}};
    for (const auto& s : shapes) {
      for (int form = 0; form < 4; ++form) {
        bool untouched = false;
        const double err = worst_error(p.sgemm, s[0], s[1], s[2], form & 1, form & 2, untouched);
        INFO(name << " " << s[0] << "x" << s[1] << "x" << s[2] << " form " << form);
        CHECK(err < 1e-4 * static_cast<double>(s[2]));
        CHECK(untouched);
      }
    }
  }
}

TEST_CASE("single rows and tiny products are the small ones, the workload's products are not") {
  CHECK(nabla::cpu::is_small_gemm(1, 256, 784));
  CHECK(nabla::cpu::is_small_gemm(32, 16, 2));
  CHECK_FALSE(nabla::cpu::is_small_gemm(128, 256, 784));
  CHECK_FALSE(nabla::cpu::is_small_gemm(128, 10, 128));
}

TEST_CASE("small products: every transpose form and size around a vector's width") {
  // Sides below, at and past 8 floats and two vectors take each of gemm_small.cc's ways (along
  // C's rows, from B or from a copy of a transposed B; down C's columns; dot products; plain
  // loops; Eigen for ragged outputs and single rows); a transposed 600 x 16 B is too large to
  // copy into the panel.
  const int64_t sides[] = {1, 2, 3, 7, 8, 9, 16, 17, 33};
  int checked = 0;
  for (int64_t m : sides)
    for (int64_t n : sides)
      for (int64_t k : sides)
        for (int form = 0; form < 4; ++form) {
          bool untouched = false;
          const double err =
              worst_error(nabla::cpu::small_sgemm, m, n, k, form & 1, form & 2, untouched);
          INFO(m << "x" << n << "x" << k << " form " << form);
          CHECK(err < 1e-5 * static_cast<double>(k));
          CHECK(untouched);
          ++checked;
        }
  for (int form = 0; form < 4; ++form) {
    bool untouched = false;
    CHECK(worst_error(nabla::cpu::small_sgemm, 3, 16, 600, form & 1, form & 2, untouched) < 6e-3);
    CHECK(untouched);
  }
  CHECK(checked == 9 * 9 * 9 * 4);
}

TEST_CASE("an unknown GEMM provider is a ValueError naming the available ones") {
  try {
    gemm_provider_named("no-such-library");
    FAIL("no error");
  } catch (const nabla::ValueError& e) {
    const std::string what = e.what();
    CHECK(what.find("NABLA_GEMM=no-such-library") != std::string::npos);
    CHECK(what.find("eigen") != std::string::npos);
  }
}
