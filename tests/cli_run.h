// Running the `nabla` command line from a test: its exit code and everything it printed.
#pragma once

#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "temp_dir.h"

namespace nabla::clitest {

struct Result {
  int code;
  std::string output;  // standard output and error
};

/// Runs `nabla ARGS` through the shell, with `env` (e.g. "NABLA_NUM_THREADS=1") before it.
inline Result run(const std::string& args, const std::string& env = "") {
  const std::string cmd = env + " " + std::string(NABLA_CLI) + " " + args + " 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  REQUIRE(pipe);
  std::string out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

inline std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

inline std::string read_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

using testing::TempDir;

}  // namespace nabla::clitest
