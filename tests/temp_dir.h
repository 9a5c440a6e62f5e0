// A fresh directory for one test's files, removed with everything in it when the test is done.
#pragma once

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <system_error>

namespace nabla::testing {

struct TempDir {
  std::filesystem::path path;

  TempDir() : path(unique_path()) { std::filesystem::create_directories(path); }
  ~TempDir() {
    std::error_code ignored;  // a test that failed half-way may leave it half-removable
    std::filesystem::remove_all(path, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  /// The path of `name` inside the directory.
  std::string operator/(const std::string& name) const { return (path / name).string(); }

 private:
  // Unique across the processes of a test run (the pid) and within one (a counter).
  static std::filesystem::path unique_path() {
    static std::atomic<int> count{0};
    return std::filesystem::temp_directory_path() /
           ("nabla_test_" + std::to_string(getpid()) + "_" + std::to_string(count++));
  }
};

}  // namespace nabla::testing
