// CPU matrix product: a single-threaded GEMM provider (gemm_provider.h: a library or nabla's
// own kernel) on blocks of the output, spread over the thread pool (or whole on one thread when
// the step runs beside another product); small products and single rows go to small_sgemm
// (is_small_gemm). Transposed operands are passed as strides, never copied.
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "framework/backend/backend.h"
#include "framework/cpu/gemm_provider.h"
#include "framework/cpu/kernel_util.h"
#include "framework/cpu/sgemm.h"

namespace nabla::cpu {
namespace {

// Packing buffers of nabla's own kernel for the blocks of one product, by block index: the
// step's own when it runs beside another step, else kept by the thread that runs the plan. Were
// they kept per pool thread instead, a thread would grow its buffers the first time it happened
// to claim a wider block, which depends on timing: a training step would then allocate now and
// then (tests/test_no_alloc.cc).
std::vector<std::unique_ptr<SgemmScratch>>* scratch_for(const KernelArgs& args, int64_t blocks) {
  thread_local std::vector<std::unique_ptr<SgemmScratch>> per_thread;
  auto* scratch =
      args.scratch ? &static_cast<StepWorkspace*>(args.scratch)->gemm_blocks : &per_thread;
  while (static_cast<int64_t>(scratch->size()) < blocks)
    scratch->push_back(std::make_unique<SgemmScratch>());
  return scratch;
}

// Multiplies rows [r0, r1) and columns [c0, c1) of the output (`scratch`: nabla's kernel's
// buffers for this block when that kernel is the provider, else null).
template <class T, bool TA, bool TB>
void gemm_block(const T* a, const T* b, T* c, int64_t m, int64_t n, int64_t k, int64_t r0,
                int64_t r1, int64_t c0, int64_t c1, SgemmScratch* scratch) {
  const T* a0 = TA ? a + r0 : a + r0 * k;
  const T* b0 = TB ? b + c0 * k : b + c0;
  if constexpr (std::is_same_v<T, float>) {
    if (scratch && !is_small_gemm(r1 - r0, c1 - c0, k)) {
      sgemm(r1 - r0, c1 - c0, k, a0, TA ? m : k, TA, b0, TB ? k : n, TB, c + r0 * n + c0, n,
            *scratch);
      return;
    }
    const GemmFn<float> f =
        is_small_gemm(r1 - r0, c1 - c0, k) ? small_sgemm : gemm_provider().sgemm;
    f(r1 - r0, c1 - c0, k, a0, TA ? m : k, TA, b0, TB ? k : n, TB, c + r0 * n + c0, n);
  } else {
    eigen_dgemm(r1 - r0, c1 - c0, k, a0, TA ? m : k, TA, b0, TB ? k : n, TB, c + r0 * n + c0, n);
  }
}

// A single row times B stored [k, n] (a Dense layer's forward for one sample), over `tasks`
// threads: each task multiplies a contiguous band of B's rows by its part of the row, into C
// (the first task) or a partial row, and the partial rows are added after. Split by columns
// instead, every thread would read a strided part of every row of B, which streams worse: on
// Zen 3 the reference MLP's first layer ran 10-30% slower that way (bench/README.md).
template <class T>
void row_times_matrix(const KernelArgs& args, int64_t tasks, const T* a, const T* b, T* c,
                      int64_t n, int64_t k) {
  thread_local std::vector<T> partial;  // grown once per calling thread, then reused
  if (partial.size() < static_cast<size_t>((tasks - 1) * n)) partial.resize((tasks - 1) * n);
  T* const partials = partial.data();  // the caller's: `partial` names another one on a worker
  const int64_t band = (k + tasks - 1) / tasks;
  pool(args).run(tasks, [&](int64_t t) {
    const int64_t k0 = std::min(k, t * band), k1 = std::min(k, k0 + band);
    T* out = t == 0 ? c : partials + (t - 1) * n;
    if (k1 == k0) {
      std::fill(out, out + n, T(0));
    } else {  // a 1 x (k1 - k0) row times the band of B's rows, written to `out`
      gemm_block<T, false, false>(a + k0, b + k0 * n, out, 1, n, k1 - k0, 0, 1, 0, n, nullptr);
    }
  });
  for (int64_t t = 1; t < tasks; ++t) {
    const T* p = partials + (t - 1) * n;
    for (int64_t j = 0; j < n; ++j) c[j] += p[j];
  }
}

template <class T, bool TA, bool TB>
void gemm(const KernelArgs& args, const T* a, const T* b, T* c, int64_t m, int64_t n, int64_t k) {
  if (m == 0 || n == 0) return;
  if (k == 0) {
    std::fill(c, c + m * n, T(0));
    return;
  }
  const int threads = pool(args).threads_here();
  const double flops = 2.0 * static_cast<double>(m) * n * k;
  // ~1.6e5 flops is ~2 us of one core: below that a second thread's hand-off costs more than it
  // saves. The logits layer's 128x128.128x10 product (3.3e5) splits; the tiny model's do not.
  constexpr double kMinFlopsPerTask = 1.6e5;
  const int64_t tasks = std::min<int64_t>(threads, static_cast<int64_t>(flops / kMinFlopsPerTask));
  if (tasks > 1 && m == 1 && !TB) {  // a row of A is contiguous, transposed or not
    row_times_matrix(args, tasks, a, b, c, n, k);
    return;
  }
  std::vector<std::unique_ptr<SgemmScratch>>* scratch = nullptr;
  if constexpr (std::is_same_v<T, float>) {
    if (!std::strcmp(gemm_provider().name, "native"))
      scratch = scratch_for(args, std::max<int64_t>(tasks, 1));
  }
  auto block_scratch = [&](int64_t t) { return scratch ? (*scratch)[t].get() : nullptr; };
  if (tasks <= 1) {
    gemm_block<T, TA, TB>(a, b, c, m, n, k, 0, m, 0, n, block_scratch(0));
    return;
  }
  // Split the longer output side into aligned blocks, one per thread.
  constexpr int64_t kAlign = 16;
  const bool split_cols = n >= m;
  const int64_t len = split_cols ? n : m;
  const int64_t block = ((len + tasks - 1) / tasks + kAlign - 1) / kAlign * kAlign;
  const int64_t count = (len + block - 1) / block;
  pool(args).run(count, [&](int64_t t) {
    const int64_t lo = t * block, hi = std::min(len, lo + block);
    if (split_cols) {
      gemm_block<T, TA, TB>(a, b, c, m, n, k, 0, m, lo, hi, block_scratch(t));
    } else {
      gemm_block<T, TA, TB>(a, b, c, m, n, k, lo, hi, 0, n, block_scratch(t));
    }
  });
}

struct MatMulParams {
  bool ta, tb;
};

void decode_matmul(KernelArgs& args) {
  args.params.set(MatMulParams{args.attrs->get_bool("transpose_a", false),
                               args.attrs->get_bool("transpose_b", false)});
}

void matmul_kernel(const KernelArgs& args) {
  const MatMulParams& p = args.params.get<MatMulParams>();
  const bool ta = p.ta, tb = p.tb;  // variables, not bindings: Clang 14 cannot capture bindings
  const Shape &sa = args.in(0).shape, &sb = args.in(1).shape;
  const int64_t m = sa[ta ? 1 : 0], k = sa[ta ? 0 : 1], n = sb[tb ? 0 : 1];
  if (sb[tb ? 1 : 0] != k)
    throw ShapeError(args.where() + ": inner dimensions differ: " + sa.to_string() + " and " +
                     sb.to_string());
  dispatch_numeric(args.in(0).dtype, args, [&]<class T>() {
    if constexpr (std::is_floating_point_v<T>) {
      const T* a = args.in(0).as<T>();
      const T* b = args.in(1).as<T>();
      T* c = args.output.as<T>();
      if (!ta && !tb) gemm<T, false, false>(args, a, b, c, m, n, k);
      if (ta && !tb) gemm<T, true, false>(args, a, b, c, m, n, k);
      if (!ta && tb) gemm<T, false, true>(args, a, b, c, m, n, k);
      if (ta && tb) gemm<T, true, true>(args, a, b, c, m, n, k);
    } else {
      // Integer products are rare (index arithmetic); a plain triple loop suffices.
      const T* a = args.in(0).as<T>();
      const T* b = args.in(1).as<T>();
      T* c = args.output.as<T>();
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j) {
          T s = 0;
          for (int64_t p = 0; p < k; ++p)
            s += a[ta ? p * m + i : i * k + p] * b[tb ? j * k + p : p * n + j];
          c[i * n + j] = s;
        }
    }
  });
}

}  // namespace

void register_matmul_kernels(Backend& b) {
  b.register_kernel(op::MatMul, matmul_kernel, decode_matmul);
}

}  // namespace nabla::cpu
