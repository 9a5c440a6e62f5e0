// Guarded loads: reading a file that may be damaged or hostile in a child process with a time
// and a memory limit, so that what nabla's own checks cannot rule out (a crash or an endless loop
// inside libhdf5, a model config that asks for more memory than the machine has) ends in a
// one-line error instead of taking the command down with it.
#pragma once

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>

#include "framework/core/options.h"

namespace nabla::cli {

/// A guarded load that crashed, ran out of time or out of memory: exit code 1, one line.
class GuardError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Limits of a guarded load.
struct GuardLimits {
  /// The defaults of the command line: NABLA_LOAD_TIMEOUT seconds (60) and NABLA_LOAD_MEMORY_MB
  /// (half of the machine's memory).
  static GuardLimits from_environment();

  /// Wall-clock seconds before the child is killed.
  NABLA_ARG(double, seconds) = 60;
  /// Address space of the child (setrlimit RLIMIT_AS); 0: no limit. Not applied in
  /// AddressSanitizer builds, whose shadow memory alone exceeds any such limit.
  NABLA_ARG(uint64_t, memory_bytes) = 0;
};

/// Runs `load` in a forked child process under `limits` and returns when it succeeded. A nabla
/// error in the child is thrown again here as a ConfigError with the child's message (what an
/// in-process load would have thrown); a crash, the time limit or the memory limit is a
/// GuardError naming `file`. Call it before the process has started nabla's thread pool (the
/// child of a fork has only the calling thread).
void run_guarded(const std::string& file, const std::function<void()>& load,
                 const GuardLimits& limits);

}  // namespace nabla::cli
