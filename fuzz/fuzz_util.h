// What every fuzz target shares: the input as a file (nabla's loaders take paths), the rule that
// only nabla's typed errors may come out, and a bound on the model sizes a target builds.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "framework/core/errors.h"

namespace nabla::fuzz {

/// A path of this process under $TMPDIR (or /dev/shm, which is memory) ending in `suffix`.
inline std::string scratch_path(const char* suffix) {
  static const std::string dir = [] {
    const char* tmp = std::getenv("TMPDIR");
    return std::string(tmp ? tmp : (access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"));
  }();
  return dir + "/nabla_fuzz_" + std::to_string(getpid()) + suffix;
}

/// The input bytes as a file, one per process and target, rewritten for every input. Loaders see
/// a real path with `extension`.
inline std::string write_input(const uint8_t* data, size_t size, const char* extension) {
  const std::string path = scratch_path(extension);
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) std::abort();
  if (size && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);
  return path;
}

/// Runs `fn`: nabla's typed errors (bad input, clearly reported) are the expected outcome of most
/// inputs; anything else (a foreign exception, a crash) is a finding, so it is let through to
/// libFuzzer, which reports an uncaught exception as a crash.
template <class F>
void expect_clean_errors(F&& fn) {
  try {
    fn();
  } catch (const nabla::Error&) {
  }
}

/// True when a model config asks for layers or inputs so large that building them would be a
/// legitimately large allocation rather than a parser bug (Dense(100000) on 100000 inputs is 40
/// GB): such inputs are skipped. `nabla` itself bounds them with the memory limit of its guarded
/// loads (docs/guide.md).
inline bool too_large(const nlohmann::json& j) {
  constexpr double kMaxDim = 1024;
  if (j.is_number()) return j.get<double>() > kMaxDim || j.get<double>() < -kMaxDim;
  if (j.is_array() || j.is_object())
    for (const auto& v : j)
      if (too_large(v)) return true;
  return false;
}

}  // namespace nabla::fuzz
