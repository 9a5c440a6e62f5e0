// Guarded loads (apps/nabla/guard.cc): a child process that succeeds, throws, crashes, hangs or
// runs out of memory gives the parent a return, the child's error, or a one-line GuardError.
#include <doctest/doctest.h>
#include <signal.h>

#include <chrono>
#include <vector>

#include "apps/nabla/guard.h"
#include "apps/nabla/run_config.h"
#include "framework/core/errors.h"

using namespace nabla;
using namespace nabla::cli;

#if defined(__SANITIZE_ADDRESS__)
#define ASAN_BUILD 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ASAN_BUILD 1
#endif
#endif

TEST_CASE("a guarded load that succeeds returns") {
  CHECK_NOTHROW(run_guarded(
      "ok.h5", [] {}, GuardLimits().seconds(30)));
}

TEST_CASE("a nabla error in the child comes back with its message") {
  CHECK_THROWS_WITH_AS(run_guarded(
                           "bad.h5", [] { throw IOError("HDF5 file 'bad.h5': no model_config"); },
                           GuardLimits().seconds(30)),
                       "HDF5 file 'bad.h5': no model_config", ConfigError);
}

TEST_CASE("a crash in the child is a one-line GuardError naming the file") {
  CHECK_THROWS_WITH_AS(run_guarded(
                           "crash.h5", [] { raise(SIGSEGV); }, GuardLimits().seconds(30)),
                       doctest::Contains("reading 'crash.h5' crashed the reader (signal 11"),
                       GuardError);
}

TEST_CASE("a child that does not finish in time is stopped") {
  const auto start = std::chrono::steady_clock::now();
  CHECK_THROWS_WITH_AS(
      run_guarded(
          "hang.h5",
          [] {
            // volatile: an endless loop without side effects is undefined, and clang drops it.
            volatile uint64_t i = 0;
            while (true) i = i + 1;
          },
          GuardLimits().seconds(0.5)),
      doctest::Contains("reading 'hang.h5' took longer than 0.5 s and was stopped"), GuardError);
  // Well under any CI limit: the child was killed, not waited for.
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(20));
}

TEST_CASE("a child that needs more memory than its limit stops with a clear error") {
#ifdef ASAN_BUILD
  MESSAGE("skipped: AddressSanitizer's shadow memory rules out an address-space limit");
#else
  CHECK_THROWS_WITH_AS(run_guarded(
                           "big.h5",
                           [] {
                             std::vector<char> big(size_t{4} << 30, 1);
                             (void)big;
                           },
                           GuardLimits().seconds(60).memory_bytes(size_t{1} << 30)),
                       doctest::Contains("needs more memory than the 1024 MiB"), GuardError);
#endif
}
