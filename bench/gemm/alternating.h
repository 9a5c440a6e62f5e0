// What the call-by-call comparisons of bench/gemm share (clear_c_bench.cc, small_bench.cc): a
// product's shape and the median of a way's samples.
#pragma once

#include <algorithm>
#include <vector>

namespace nabla::bench {

/// C[m, n] = op(A)[m, k] · op(B)[k, n], op transposing A (B) when ta (tb).
struct GemmCase {
  const char* name;
  int m, n, k;
  bool ta, tb;
};

/// The median of `t` (sorted in place).
inline double median(std::vector<double>& t) {
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

}  // namespace nabla::bench
