// Bounds-checked access to an HDF5 file's bytes for the format reader (hdf5_format.cc,
// hdf5_heap.cc): every range is checked against the file before it is read, every field against
// the end of its buffer. Internal to framework/io.
#pragma once

#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "framework/core/errors.h"
#include "framework/io/hdf5_format.h"

namespace nabla::h5::format {

[[noreturn]] inline void fail(const std::string& where, const std::string& what) {
  throw IOError(where + ": " + what + " (damaged or not written by HDF5?)");
}

inline bool undefined(uint64_t address, int offset_size) {
  return offset_size == 8 ? address == ~uint64_t{0}
                          : address == (uint64_t{1} << (8 * offset_size)) - 1;
}

// Reads byte ranges of the file, each checked to lie inside it.
class ByteSource {
 public:
  ByteSource(const FileInfo& file, const std::string& where) : file_(file), where_(where) {
    if (file.image) return;  // an in-memory image: read from its bytes
    in_.open(file.path, std::ios::binary);
    if (!in_) fail(where, "cannot open the file to read it");
  }
  /// Fails unless `bytes` at `address` lie inside the file.
  void check(uint64_t address, uint64_t bytes, const char* what) const {
    const uint64_t size = file_.size;
    if (undefined(address, file_.offset_size) || file_.base > size || address > size - file_.base ||
        bytes > size - file_.base - address)
      fail(where_, std::string(what) + " at address " + std::to_string(address) + " (" +
                       std::to_string(bytes) + " bytes) lies outside the file of " +
                       std::to_string(size) + " bytes");
  }
  std::vector<uint8_t> read(uint64_t address, uint64_t bytes, const char* what) {
    check(address, bytes, what);
    std::vector<uint8_t> out(bytes);
    if (file_.image) {
      std::memcpy(out.data(), file_.image->data() + file_.base + address, bytes);
      return out;
    }
    in_.seekg(static_cast<std::streamoff>(file_.base + address));
    if (!in_.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(bytes)))
      fail(where_, std::string("cannot read ") + what);
    return out;
  }

 private:
  const FileInfo& file_;
  const std::string& where_;
  std::ifstream in_;
};

// Little-endian fields of a byte buffer, each read checked against its end.
class Cursor {
 public:
  Cursor(const uint8_t* data, size_t size, const std::string& where, const char* what)
      : p_(data), end_(data + size), where_(where), what_(what) {}
  size_t left() const { return static_cast<size_t>(end_ - p_); }
  const uint8_t* here() const { return p_; }
  void need(size_t n) const {
    if (n > left()) fail(where_, std::string(what_) + " ends early");
  }
  uint64_t uint(int bytes) {
    need(static_cast<size_t>(bytes));
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | p_[i];
    p_ += bytes;
    return v;
  }
  void skip(uint64_t n) {
    need(n);
    p_ += n;
  }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
  const std::string& where_;
  const char* what_;
};

inline uint64_t round8(uint64_t n) {
  return (n + 7) / 8 * 8;
}

}  // namespace nabla::h5::format
