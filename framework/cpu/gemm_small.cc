// Products too small for a GEMM library (is_small_gemm): a library, Eigen included, packs both
// operands into panels and blocks them for the caches before it multiplies, which for a tiny
// model's 32x2·2x16 costs several times the product. These loops read the operands where they
// lie and run along whichever side of the output is a whole number of vectors and contiguous in
// an operand, eight floats at a time (GCC/Clang vector types: AVX on x86, two NEON registers on
// ARM); an output narrower than a vector is a set of dot products. A transposed B is copied into
// a small panel on the stack first. Ragged outputs (10 columns, say) go to Eigen, whose 24x4
// register blocks waste less of them than whole vectors would (bench/gemm/small_bench.cc).
#include <algorithm>
#include <cstring>

#include "framework/cpu/gemm_provider.h"

namespace nabla::cpu {
namespace {

constexpr int W = 8;  // floats per vector
using Vec = float __attribute__((vector_size(W * sizeof(float))));

constexpr int64_t kSmallVolume = 32768;  // multiply-adds: a few microseconds at most
constexpr int64_t kPanelFloats = 4096;   // 16 KB of stack at most for a copy of B

Vec load(const float* p) {
  Vec v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

void store(float* p, Vec v) {
  std::memcpy(p, &v, sizeof v);
}

// A matrix as a pointer and the strides of its two indices: (i, j) is at p[i * rs + j * cs].
struct Strided {
  const float* p;
  int64_t rs, cs;
  float operator()(int64_t i, int64_t j) const { return p[i * rs + j * cs]; }
};

// out(i, j) = Σ_p x(i, p) · y(p, j) for R rows i and NV vectors of columns j, y's rows being
// contiguous from `y` on (ldy floats apart); out(i, j) is at out[i * ors + j * ocs].
template <int R, int NV>
void rows_times_panel(int64_t k, Strided x, const float* y, int64_t ldy, float* out, int64_t ors,
                      int64_t ocs) {
  Vec acc[R][NV] = {};
  for (int64_t p = 0; p < k; ++p) {
    Vec yv[NV];
    for (int v = 0; v < NV; ++v) yv[v] = load(y + p * ldy + v * W);
    for (int r = 0; r < R; ++r) {
      const float s = x(r, p);
      for (int v = 0; v < NV; ++v) acc[r][v] += s * yv[v];
    }
  }
  if (ocs == 1) {  // along a row of C
    for (int r = 0; r < R; ++r)
      for (int v = 0; v < NV; ++v) store(out + r * ors + v * W, acc[r][v]);
    return;
  }
  // Down a column of C: element by element, from a copy (indexing `acc` itself at run time
  // would keep it in memory through the loop above).
  float part[R][NV * W];
  for (int r = 0; r < R; ++r)
    for (int v = 0; v < NV; ++v) store(&part[r][v * W], acc[r][v]);
  for (int r = 0; r < R; ++r)
    for (int j = 0; j < NV * W; ++j) out[r * ors + j * ocs] = part[r][j];
}

// out[m, n] = x[m, k] · y[k, n] along y's rows, which must be contiguous; n is a multiple of W.
void along_rows(int64_t m, int64_t n, int64_t k, Strided x, const float* y, int64_t ldy, float* out,
                int64_t ors, int64_t ocs) {
  for (int64_t i = 0; i < m; i += 4) {
    const Strided xi{x.p + i * x.rs, x.rs, x.cs};
    float* oi = out + i * ors;
    auto block = [&]<int R>() {
      int64_t j = 0;
      for (; j + 2 * W <= n; j += 2 * W)
        rows_times_panel<R, 2>(k, xi, y + j, ldy, oi + j * ocs, ors, ocs);
      if (j < n) rows_times_panel<R, 1>(k, xi, y + j, ldy, oi + j * ocs, ors, ocs);
    };
    switch (std::min<int64_t>(4, m - i)) {
      case 4:
        block.template operator()<4>();
        break;
      case 3:
        block.template operator()<3>();
        break;
      case 2:
        block.template operator()<2>();
        break;
      default:
        block.template operator()<1>();
        break;
    }
  }
}

// c[i, j] = Σ_p a(i, p) · b(p, j) as dot products, where a's rows and b's columns are contiguous
// (a.cs == 1, b.rs == 1).
void dot_products(int64_t m, int64_t n, int64_t k, Strided a, Strided b, float* c, int64_t ldc) {
  static_assert(W == 8, "the lanes are summed as eight below");
  const int64_t whole = k / W * W;
  for (int64_t i = 0; i < m; ++i) {
    const float* ai = a.p + i * a.rs;
    for (int64_t j = 0; j < n; ++j) {
      const float* bj = b.p + j * b.cs;
      Vec acc[2] = {};
      int64_t p = 0;
      for (; p + 2 * W <= whole; p += 2 * W) {
        acc[0] += load(ai + p) * load(bj + p);
        acc[1] += load(ai + p + W) * load(bj + p + W);
      }
      if (p < whole) acc[0] += load(ai + p) * load(bj + p);
      float lane[W];
      store(lane, acc[0] + acc[1]);
      float s =
          ((lane[0] + lane[4]) + (lane[1] + lane[5])) + ((lane[2] + lane[6]) + (lane[3] + lane[7]));
      for (p = whole; p < k; ++p) s += ai[p] * bj[p];
      c[i * ldc + j] = s;
    }
  }
}

// Whether the loops computed C (false: nothing written, left to Eigen).
bool small_product(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, bool ta,
                   const float* b, int64_t ldb, bool tb, float* c, int64_t ldc) {
  const Strided A{a, ta ? 1 : lda, ta ? lda : 1}, B{b, tb ? 1 : ldb, tb ? ldb : 1};
  // Along C's rows, B's rows being contiguous.
  if (n % W == 0 && B.cs == 1) {
    along_rows(m, n, k, A, b, B.rs, c, ldc, 1);
    return true;
  }
  // Down C's columns (Cᵀ = Bᵀ·Aᵀ), A's columns being contiguous.
  if (m % W == 0 && A.rs == 1) {
    along_rows(n, m, k, Strided{b, B.cs, B.rs}, a, A.cs, c, 1, ldc);
    return true;
  }
  // Dot products, for outputs narrower than a vector.
  if (n < W && k >= W && A.cs == 1 && B.rs == 1) {
    dot_products(m, n, k, A, B, c, ldc);
    return true;
  }
  // Along C's rows, on a copy of B with contiguous rows.
  if (n % W == 0 && k * n <= kPanelFloats) {
    float panel[kPanelFloats];
    for (int64_t p = 0; p < k; ++p)
      for (int64_t j = 0; j < n; ++j) panel[p * n + j] = B(p, j);
    along_rows(m, n, k, A, panel, n, c, ldc, 1);
    return true;
  }
  if (m < W && n < W) {  // at most 7 x 7 outputs: plain loops
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        float s = 0.f;
        for (int64_t p = 0; p < k; ++p) s += A(i, p) * B(p, j);
        c[i * ldc + j] = s;
      }
    return true;
  }
  return false;
}

}  // namespace

bool is_small_gemm(int64_t m, int64_t n, int64_t k) {
  return m == 1 || m * n * k <= kSmallVolume;
}

// A single row stays with Eigen's matrix-vector product, which reads B once with fewer
// instructions per element than a row of `along_rows` (measured on the 1x256·256x128 product of
// a single-sample predict).
void small_sgemm(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, bool ta,
                 const float* b, int64_t ldb, bool tb, float* c, int64_t ldc) {
  if (m > 1 && m * n * k <= kSmallVolume && small_product(m, n, k, a, lda, ta, b, ldb, tb, c, ldc))
    return;
  eigen_sgemm(m, n, k, a, lda, ta, b, ldb, tb, c, ldc);
}

}  // namespace nabla::cpu
