// Why nabla clears C itself before calling OpenBLAS (framework/cpu/gemm_openblas.cc): for each
// product of the reference workload, one thread's share, the two ways alternate call by call in
// one process (so that the machine's load falls on both alike), with 6 MB of other data touched
// before every call so that C is not in L2, as in a training step; and the 4096-wide MLP's
// largest products. Prints the median of each.
//   build/bench/gemm/nabla_gemm_clear_c
#include <cblas.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <vector>

#include "alternating.h"

using nabla::bench::GemmCase;
using nabla::bench::median;

int main() {
  openblas_set_num_threads(1);
  const GemmCase cases[] = {{"L1 fwd, half 128x128x784", 128, 128, 784, false, false},
                            {"L1 dW, half 392x256x128", 392, 256, 128, true, false},
                            {"L2 fwd, half 128x64x256", 128, 64, 256, false, false},
                            {"L2 dW 256x128x128", 256, 128, 128, true, false},
                            {"L2 dX 128x256x128", 128, 256, 128, false, true},
                            {"L3 fwd 128x10x128", 128, 10, 128, false, false},
                            {"4096-wide fwd, half 512x2048x4096", 512, 2048, 4096, false, false},
                            {"4096-wide dW, half 2048x4096x512", 2048, 4096, 512, true, false}};
  std::vector<float> a(1 << 21, 0.5f), b(1 << 24, 0.25f), c(1 << 23), other(6 << 18, 1.f);
  std::printf("%-34s %12s %16s\n", "case (m x n x k)", "beta = 0", "memset, beta = 1");
  for (const GemmCase& p : cases) {
    std::vector<double> t[2];
    const int lda = p.ta ? p.m : p.k, ldb = p.tb ? p.k : p.n;
    const double flops = 2.0 * p.m * p.n * p.k;  // ~2 GFLOP per way, 20 to 1000 calls each
    const int calls = 2 * static_cast<int>(std::clamp(2e9 / flops, 20.0, 1000.0));
    for (int i = 0; i < calls; ++i) {
      for (size_t j = 0; j < other.size(); j += 16) other[j] += 1.f;
      const bool clear = i % 2;
      const auto start = std::chrono::steady_clock::now();
      if (clear) std::memset(c.data(), 0, sizeof(float) * p.m * p.n);
      cblas_sgemm(CblasRowMajor, p.ta ? CblasTrans : CblasNoTrans, p.tb ? CblasTrans : CblasNoTrans,
                  p.m, p.n, p.k, 1.f, a.data(), lda, b.data(), ldb, clear ? 1.f : 0.f, c.data(),
                  p.n);
      t[clear].push_back(
          std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
              .count());
    }
    const double beta0 = median(t[0]), cleared = median(t[1]);
    std::printf("%-34s %9.1f us %13.1f us   %+.1f%%\n", p.name, beta0, cleared,
                100 * (cleared / beta0 - 1));
  }
}
