// RecordWriter: appends TFRecord-framed records to a file.
#pragma once

#include <string>
#include <string_view>

namespace nabla::tensorboard {

/// Writes records in TFRecord framing, the container of TensorFlow's event files: per record a
/// little-endian uint64 length, the masked CRC-32C of those 8 bytes (uint32), the data, and the
/// masked CRC-32C of the data (uint32).
///
/// The file is opened for appending, so nothing already in it is ever overwritten. Records are
/// buffered until flush(); every failure (a missing directory, a full disk) is an IOError naming
/// the file and the system's reason.
class RecordWriter {
 public:
  /// Opens `path` for appending. With `must_be_new`, a file that already exists is not opened:
  /// the constructor throws FileExistsError instead.
  explicit RecordWriter(std::string path, bool must_be_new = false);
  /// Flushes and closes; errors here are swallowed (call close() to see them).
  ~RecordWriter();
  RecordWriter(const RecordWriter&) = delete;
  RecordWriter& operator=(const RecordWriter&) = delete;

  /// Frames `record` and adds it to the buffer (written out at flush() or when it grows large).
  void write(std::string_view record);
  /// Writes the buffered records to the file.
  void flush();
  /// Flushes and closes the file; later writes are a StateError. Closing twice is harmless.
  void close();
  /// The file written to.
  const std::string& path() const { return path_; }

  /// Thrown by the constructor when `must_be_new` and the file exists.
  struct FileExistsError {};

 private:
  std::string path_;
  int fd_ = -1;
  std::string buffer_;
};

}  // namespace nabla::tensorboard
