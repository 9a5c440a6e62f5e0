// Real write failures for tests: a small filesystem that fills up (ENOSPC), and a child process
// whose files cannot grow past a limit (EFBIG). Both make the operating system refuse writes, so
// they test nabla's own error handling, HDF5's included, with no fake file functions.
#pragma once

#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

namespace nabla::testing {

/// A tmpfs of `bytes` mounted on a fresh directory while alive. Mounting needs root (CI and the
/// developer machines run as root); `mounted` is false where it is not allowed, and tests then
/// say so and fall back to with_file_size_limit().
struct SmallDisk {
  std::filesystem::path path;
  bool mounted = false;

  explicit SmallDisk(size_t bytes) {
    path = std::filesystem::temp_directory_path() /
           ("nabla_disk_" + std::to_string(getpid()) + "_" + std::to_string(rand()));
    std::filesystem::create_directories(path);
    const std::string options = "size=" + std::to_string(bytes);
    mounted = ::mount("tmpfs", path.c_str(), "tmpfs", 0, options.c_str()) == 0;
  }
  ~SmallDisk() {
    if (mounted) ::umount2(path.c_str(), MNT_DETACH);
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  /// Writes `name` until the disk is full; returns its path (remove it to free the space).
  std::filesystem::path fill(const std::string& name = "filler") const {
    const auto file = path / name;
    std::ofstream out(file, std::ios::binary);
    const std::vector<char> block(4096, 'x');
    while (out.write(block.data(), static_cast<std::streamsize>(block.size()))) {
    }
    return file;
  }
};

/// Runs `body` in a child process in which no file can grow beyond `bytes` (RLIMIT_FSIZE, with
/// SIGXFSZ ignored so that writes fail with EFBIG instead of killing the process). Returns the
/// child's exit code (body's return value), or -1 when it died of a signal.
inline int with_file_size_limit(size_t bytes, const std::function<int()>& body) {
  const pid_t child = fork();
  if (child == 0) {
    signal(SIGXFSZ, SIG_IGN);
    const rlimit limit{bytes, bytes};
    setrlimit(RLIMIT_FSIZE, &limit);
    int code = 99;
    try {
      code = body();
    } catch (...) {
      code = 98;
    }
    _exit(code);
  }
  int status = 0;
  waitpid(child, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace nabla::testing
