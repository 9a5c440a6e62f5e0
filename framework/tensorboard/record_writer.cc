// RecordWriter: TFRecord framing over a POSIX file descriptor, so that errno reaches the message.
#include "framework/tensorboard/record_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "framework/core/errors.h"
#include "framework/tensorboard/crc32c.h"

namespace nabla::tensorboard {
namespace {

// Past this many buffered bytes a write() goes to the file at once (a large graph, or many
// batch scalars between epochs).
constexpr size_t kFlushAt = size_t{1} << 20;

void append_le(std::string& out, uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xFFu));
}

[[noreturn]] void fail(const std::string& what, const std::string& path, int err) {
  throw IOError("cannot " + what + " event file '" + path + "': " + std::strerror(err));
}

}  // namespace

RecordWriter::RecordWriter(std::string path, bool must_be_new) : path_(std::move(path)) {
  const int flags = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (must_be_new ? O_EXCL : 0);
  do {
    fd_ = ::open(path_.c_str(), flags, 0644);
  } while (fd_ < 0 && errno == EINTR);
  if (fd_ < 0) {
    if (must_be_new && errno == EEXIST) throw FileExistsError{};
    fail("create", path_, errno);
  }
}

RecordWriter::~RecordWriter() {
  try {
    close();
  } catch (const Error&) {
    // A destructor must not throw; close() reports the same failure to callers who ask.
  }
}

void RecordWriter::write(std::string_view record) {
  if (fd_ < 0) throw StateError("event file '" + path_ + "' is closed");
  std::string header;
  append_le(header, record.size(), 8);
  buffer_ += header;
  append_le(buffer_, mask_crc(crc32c(header)), 4);
  buffer_.append(record);
  append_le(buffer_, mask_crc(crc32c(record)), 4);
  if (buffer_.size() >= kFlushAt) flush();
}

void RecordWriter::flush() {
  if (fd_ < 0) return;
  size_t done = 0;
  while (done < buffer_.size()) {
    const ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      buffer_.erase(0, done);  // what was written stays written; the rest may be retried
      fail("write", path_, err);
    }
    done += static_cast<size_t>(n);
  }
  buffer_.clear();
}

void RecordWriter::close() {
  if (fd_ < 0) return;
  try {
    flush();
  } catch (...) {
    ::close(fd_);
    fd_ = -1;
    throw;
  }
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0 && errno != EINTR) fail("close", path_, errno);
}

}  // namespace nabla::tensorboard
