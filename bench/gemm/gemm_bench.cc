// sgemm rate of one library (provider_<name>.cc) at the shapes of nabla's workloads, in all
// three transpose forms of training, on 1 thread, on the library's own 2 threads, split in two
// halves on 2 threads (one single-threaded library call each, as nabla's pool splits), and as
// two whole products at once, one per thread (as nabla runs a layer's dW and dX products).
// Prints a row per case and a RESULT line per figure; bench/gemm/run.sh joins the libraries.
// One thread is timed by the thread's CPU time (robust to other load), two by the wall clock.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <immintrin.h>

#include "provider.h"

namespace nabla::bench {
namespace {

struct Case {
  const char* name;
  int64_t m, k, n;
  bool ta, tb;
};

// The reference MLP (784-256-128-10, batch 128): forward X·W, dW = Xᵀ·dY, dX = dY·Wᵀ per
// layer; predict at batch 1024; a 4096-wide layer at batch 512.
const Case kCases[] = {
    {"L1 fwd  X.W      128x784.784x256", 128, 784, 256, false, false},
    {"L1 dW   Xt.dY    (784x128)t->784x256", 784, 128, 256, true, false},
    {"L1 dX   dY.Wt    128x256.(784x256)t", 128, 256, 784, false, true},
    {"L2 fwd  X.W      128x256.256x128", 128, 256, 128, false, false},
    {"L2 dW   Xt.dY    (256x128)t->256x128", 256, 128, 128, true, false},
    {"L2 dX   dY.Wt    128x128.(256x128)t", 128, 128, 256, false, true},
    {"L3 fwd  X.W      128x128.128x10", 128, 128, 10, false, false},
    {"L3 dW   Xt.dY    (128x128)t->128x10", 128, 128, 10, true, false},
    {"L3 dX   dY.Wt    128x10.(128x10)t", 128, 10, 128, false, true},
    {"P1 predict b1024 1024x784.784x256", 1024, 784, 256, false, false},
    {"P2 predict b1024 1024x256.256x128", 1024, 256, 128, false, false},
    {"P3 predict b1024 1024x128.128x10", 1024, 128, 10, false, false},
    {"W fwd  4096 b512 512x4096.4096x4096", 512, 4096, 4096, false, false},
    {"W dW   4096 b512 (4096x512)t->4096x4096", 4096, 512, 4096, true, false},
    {"W dX   4096 b512 512x4096.(4096x4096)t", 512, 4096, 4096, false, true},
};

// Runs fn(0) on the caller and fn(1) on one worker that blocks (after a short spin) between
// calls, so a busy machine's other core is not burnt.
class TwoThreads {
 public:
  explicit TwoThreads(GemmProvider& p)
      : worker_([this, &p] {
          p.set_threads(1);
          uint64_t seen = 0;
          for (;;) {
            for (int spin = 0; gen_.load(std::memory_order_acquire) == seen; ++spin) {
              if (spin < 4000) {
                _mm_pause();
              } else {
                std::this_thread::yield();
              }
            }
            seen = gen_.load(std::memory_order_acquire);
            if (stop_) return;
            (*fn_)(1);
            done_.store(seen, std::memory_order_release);
          }
        }) {}
  ~TwoThreads() {
    stop_ = true;
    gen_.fetch_add(1, std::memory_order_release);
    worker_.join();
  }
  void run(const std::function<void(int)>& fn) {
    fn_ = &fn;
    const uint64_t g = gen_.fetch_add(1, std::memory_order_release) + 1;
    fn(0);
    while (done_.load(std::memory_order_acquire) != g) _mm_pause();
  }

 private:
  const std::function<void(int)>* fn_ = nullptr;
  std::atomic<uint64_t> gen_{0}, done_{0};
  std::atomic<bool> stop_{false};
  std::thread worker_;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Seconds of the calling thread's CPU time (cpu) or of the wall clock. A thread's CPU time
// does not count the time other processes hold its core, so single-threaded rates measured
// with it hold on a busy machine; two threads need the wall clock.
double now(bool cpu) {
  timespec ts;
  clock_gettime(cpu ? CLOCK_THREAD_CPUTIME_ID : CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// Median seconds per call of fn: samples of enough calls to last >= 2 ms each.
double time_calls(const std::function<void()>& fn, bool quick, bool cpu) {
  fn();
  double t0 = now(cpu);
  fn();
  const double once = now(cpu) - t0;
  const int inner = std::max(1, static_cast<int>(2e-3 / std::max(once, 1e-9)));
  const int samples = once > 0.05 ? 3 : (quick ? 5 : 11);
  std::vector<double> s;
  for (int i = 0; i < samples; ++i) {
    t0 = now(cpu);
    for (int j = 0; j < inner; ++j) fn();
    s.push_back((now(cpu) - t0) / inner);
  }
  return median(s);
}

// Largest relative error of 64 sampled entries of C against a double-precision dot product.
double check(const Case& cs, const std::vector<float>& a, const std::vector<float>& b,
             const std::vector<float>& c) {
  std::mt19937 rng(7);
  double worst = 0;
  for (int t = 0; t < 64; ++t) {
    const int64_t i = rng() % cs.m, j = rng() % cs.n;
    double ref = 0, mag = 0;
    for (int64_t p = 0; p < cs.k; ++p) {
      const double x = cs.ta ? a[p * cs.m + i] : a[i * cs.k + p];
      const double y = cs.tb ? b[j * cs.k + p] : b[p * cs.n + j];
      ref += x * y;
      mag += std::abs(x * y);
    }
    worst = std::max(worst, std::abs(ref - c[i * cs.n + j]) / std::max(mag, 1e-30));
  }
  return worst;
}

void run(GemmProvider& p, const std::vector<std::string>& modes, bool quick) {
  std::printf("== %s: %s ==\n", p.name().c_str(), p.info().c_str());
  std::printf("%-42s %10s %10s %10s %10s\n", "case (GFLOP/s, median)", "1 thr cpu", "lib 2 wall",
              "split2 wall", "pair2 wall");
  TwoThreads pair(p);
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  for (const Case& cs : kCases) {
    std::vector<float> a(cs.m * cs.k), b(cs.k * cs.n), c(cs.m * cs.n), c2(cs.m * cs.n);
    for (float& x : a) x = u(rng);
    for (float& x : b) x = u(rng);
    const int64_t lda = cs.ta ? cs.m : cs.k, ldb = cs.tb ? cs.k : cs.n;
    const double flop = 2.0 * cs.m * cs.n * cs.k;
    std::printf("%-42s", cs.name);
    if (!p.supports(cs.ta, cs.tb)) {
      std::printf(" %10s %10s %10s %10s\n", "n/a", "n/a", "n/a", "n/a");
      continue;
    }
    for (const char* mode : {"1", "lib2", "split2", "pair2"}) {
      if (std::find(modes.begin(), modes.end(), mode) == modes.end() ||
          (std::string(mode) == "lib2" && !p.has_threads())) {
        std::printf(" %10s", "-");
        continue;
      }
      std::function<void()> fn;
      std::function<void(int)> half;
      if (std::string(mode) == "split2") {
        p.set_threads(1);
        // nabla's split: the longer side of C in two blocks aligned to 16.
        const bool cols = cs.n >= cs.m;
        const int64_t len = cols ? cs.n : cs.m, blk = ((len + 1) / 2 + 15) / 16 * 16;
        half = [&, cols, len, blk](int t) {
          const int64_t lo = std::min(len, t * blk), hi = std::min(len, lo + blk);
          if (hi <= lo) return;
          if (cols) {
            p.gemm(cs.m, hi - lo, cs.k, a.data(), lda, cs.ta,
                   cs.tb ? b.data() + lo * cs.k : b.data() + lo, ldb, cs.tb, c.data() + lo, cs.n);
          } else {
            p.gemm(hi - lo, cs.n, cs.k, cs.ta ? a.data() + lo : a.data() + lo * cs.k, lda, cs.ta,
                   b.data(), ldb, cs.tb, c.data() + lo * cs.n, cs.n);
          }
        };
        fn = [&] { pair.run(half); };
      } else if (std::string(mode) == "pair2") {
        p.set_threads(1);
        // Two products at once, one whole product per thread (into separate outputs).
        half = [&](int t) {
          p.gemm(cs.m, cs.n, cs.k, a.data(), lda, cs.ta, b.data(), ldb, cs.tb, (t ? c2 : c).data(),
                 cs.n);
        };
        fn = [&] { pair.run(half); };
      } else {
        p.set_threads(std::string(mode) == "lib2" ? 2 : 1);
        fn = [&] {
          p.gemm(cs.m, cs.n, cs.k, a.data(), lda, cs.ta, b.data(), ldb, cs.tb, c.data(), cs.n);
        };
      }
      std::fill(c.begin(), c.end(), std::nanf(""));
      const double s = time_calls(fn, quick, std::string(mode) == "1");
      const double err = check(cs, a, b, c);
      const double gflops = (std::string(mode) == "pair2" ? 2 : 1) * flop / s / 1e9;
      std::printf(" %10.1f%s", gflops, err > 1e-4 ? "!" : "");
      std::fflush(stdout);
      std::fprintf(stderr, "RESULT %s|%s|%s|%.2f|%.2e\n", p.name().c_str(), cs.name, mode, gflops,
                   err);
    }
    std::printf("\n");
  }
  p.set_threads(1);
}

}  // namespace
}  // namespace nabla::bench

int main(int argc, char** argv) {
  bool quick = false;
  std::vector<std::string> modes = {"1", "lib2", "split2", "pair2"};
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--quick") {
      quick = true;
    } else if (arg == "--modes" && i + 1 < argc) {
      modes.clear();
      std::string list = argv[++i];
      for (size_t pos = 0; pos <= list.size();) {
        const size_t end = std::min(list.find(',', pos), list.size());
        modes.push_back(list.substr(pos, end - pos));
        pos = end + 1;
      }
    } else {
      std::fprintf(stderr,
                   "usage: %s [--quick] [--modes 1,lib2,split2,pair2]\n"
                   "RESULT lines (library|case|mode|GFLOP/s|max relative error) go to stderr.\n",
                   argv[0]);
      return arg == "--help" ? 0 : 2;
    }
  }
  auto p = nabla::bench::make_provider();
  nabla::bench::run(*p, modes, quick);
}
