// Small products (is_small_gemm: at most 32,768 multiply-adds): nabla's direct loops
// (framework/cpu/gemm_small.cc) against Eigen's product, which they replaced, alternating call
// by call in one process so that the machine's load falls on both alike. The shapes are the tiny
// model's five products (2-16-1 at batch 32, training) and others that take each of the loops'
// ways. Prints the median time of each and the ratio.
//   build/bench/gemm/nabla_gemm_small
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include "alternating.h"
#include "framework/cpu/gemm_provider.h"

using nabla::bench::GemmCase;
using nabla::bench::median;

int main() {
  using nabla::cpu::GemmFn;
  const GemmCase cases[] = {{"tiny L1 fwd 32x16x2", 32, 16, 2, false, false},
                            {"tiny L2 fwd 32x1x16", 32, 1, 16, false, false},
                            {"tiny L2 dX 32x16x1 (B^T)", 32, 16, 1, false, true},
                            {"tiny L1 dW 2x16x32 (A^T)", 2, 16, 32, true, false},
                            {"tiny L2 dW 16x1x32 (A^T)", 16, 1, 32, true, false},
                            {"32x32x32", 32, 32, 32, false, false},
                            {"32x32x32 (A^T)", 32, 32, 32, true, false},
                            {"32x32x32 (B^T)", 32, 32, 32, false, true},
                            {"32x10x64 (ragged n)", 32, 10, 64, false, false},
                            {"32x12x64 (ragged n)", 32, 12, 64, false, false},
                            {"32x20x32 (ragged n)", 32, 20, 32, false, false},
                            {"16x10x16 (ragged n)", 16, 10, 16, false, false},
                            {"32x10x32 (ragged n, A^T)", 32, 10, 32, true, false},
                            {"10x32x32 (ragged m, B^T)", 10, 32, 32, false, true},
                            {"64x64x8", 64, 64, 8, false, false},
                            {"128x4x64 (dots)", 128, 4, 64, false, false},
                            {"64x3x128 (A^T, along columns)", 64, 3, 128, true, false},
                            {"8x512x8", 8, 512, 8, false, false}};
  const GemmFn<float> ways[2] = {nabla::cpu::eigen_sgemm, nabla::cpu::small_sgemm};
  std::vector<float> a(1 << 16, 0.5f), b(1 << 16, 0.25f), c(1 << 16);
  std::printf("%-32s %10s %10s %8s\n", "case (m x n x k)", "Eigen", "loops", "ratio");
  for (const GemmCase& p : cases) {
    std::vector<double> t[2];
    const int lda = p.ta ? p.m : p.k, ldb = p.tb ? p.k : p.n;
    for (int i = 0; i < 40000; ++i) {
      const int way = i % 2;
      const auto start = std::chrono::steady_clock::now();
      for (int r = 0; r < 8; ++r)  // 8 calls per sample: the clock's own cost stays small
        ways[way](p.m, p.n, p.k, a.data(), lda, p.ta, b.data(), ldb, p.tb, c.data(), p.n);
      t[way].push_back(
          std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start)
              .count() /
          8);
    }
    const double eigen = median(t[0]), loops = median(t[1]);
    std::printf("%-32s %7.0f ns %7.0f ns %7.2fx\n", p.name, eigen, loops, eigen / loops);
  }
}
