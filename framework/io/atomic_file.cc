#include "framework/io/atomic_file.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "framework/core/errors.h"

namespace nabla {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void fail(const std::string& what, const std::string& path, int error) {
  throw IOError(io_error_message(what, path, error));
}

// The prefix of the temporary files of saves of `target`: ".NAME.tmp-".
std::string temp_prefix(const fs::path& target) {
  return "." + target.filename().string() + ".tmp-";
}

// Removes temporary files of earlier saves of `target` whose process no longer exists (a save
// killed midway), so they do not pile up beside the file.
void remove_orphans(const fs::path& dir, const fs::path& target) {
  const std::string prefix = temp_prefix(target);
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string rest = name.substr(prefix.size());
    const size_t digits = rest.find_first_not_of("0123456789");
    if (digits == 0 || rest.empty()) continue;
    const long pid = std::strtol(rest.substr(0, digits).c_str(), nullptr, 10);
    const bool gone = pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
    if (gone) fs::remove(entry.path(), ec);
  }
}

// fsync()s and closes `fd`, naming `path` in errors.
void sync_and_close(int fd, const std::string& path) {
  if (::fsync(fd) != 0) {
    const int error = errno;
    ::close(fd);
    fail("cannot flush", path, error);
  }
  if (::close(fd) != 0) fail("cannot close", path, errno);
}

void sync_file(const std::string& temp, const std::string& shown) {
  const int fd = ::open(temp.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail("cannot reopen the new content of", shown, errno);
  sync_and_close(fd, shown);
}

// Makes a rename in `dir` durable. Some filesystems cannot fsync a directory (EINVAL): the rename
// is then as durable as that filesystem makes it.
void sync_directory(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  if (::fsync(fd) != 0 && errno != EINVAL && errno != EROFS) {
    const int error = errno;
    ::close(fd);
    fail("cannot flush directory", dir.string(), error);
  }
  ::close(fd);
}

std::atomic<unsigned> temp_counter{0};

}  // namespace

std::string io_error_message(const std::string& what, const std::string& path, int error) {
  return what + " '" + path + "': " + std::strerror(error);
}

void write_file_atomically(const std::string& path,
                           const std::function<void(const std::string& temp_path)>& write) {
  const fs::path target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  if (!fs::is_directory(dir))
    throw IOError("cannot save '" + path + "': directory '" + dir.string() + "' does not exist");
  remove_orphans(dir, target);
  // PID first (the orphan check reads it), then a counter: two saves of one file from two
  // threads of this process never share a temporary file.
  const fs::path temp = dir / (temp_prefix(target) + std::to_string(::getpid()) + "-" +
                               std::to_string(temp_counter.fetch_add(1)));
  try {
    write(temp.string());
    sync_file(temp.string(), path);
    std::error_code ec;
    fs::rename(temp, target, ec);
    if (ec) fail("cannot replace", path, ec.value());
    sync_directory(dir);
  } catch (...) {
    std::error_code ignored;
    fs::remove(temp, ignored);
    throw;
  }
}

void write_text_atomically(const std::string& path, std::string_view content) {
  write_chunks_atomically(path, {content});
}

void write_chunks_atomically(const std::string& path,
                             std::initializer_list<std::string_view> chunks) {
  write_file_atomically(path, [&](const std::string& temp) {
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) fail("cannot write", path, errno);
    for (std::string_view chunk : chunks) {
      size_t done = 0;
      while (done < chunk.size()) {
        const ssize_t n = ::write(fd, chunk.data() + done, chunk.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
          const int error = n < 0 ? errno : ENOSPC;
          ::close(fd);
          fail("cannot write", path, error);
        }
        done += static_cast<size_t>(n);
      }
    }
    if (::close(fd) != 0) fail("cannot write", path, errno);  // fsynced by the caller
  });
}

}  // namespace nabla
