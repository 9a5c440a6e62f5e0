// Zip archives (Keras 3's .keras files), read and written through libzip. Reading is bounded: a
// member whose declared size is over a limit is refused before anything is inflated, a member
// that inflates past its declared size is stopped there, and every member's CRC is checked.
// Every failure is an IOError naming the archive, the member and what is wrong.
//
// A .keras's model.weights.h5 is best read() into memory and opened as an HDF5 file image
// (H5Pset_fapl_core with no backing store, then H5Pset_file_image, then H5Fopen): no temporary
// file to create, clean up or race on, it works in read-only folders, and Keras itself reads it
// so. Saving is the mirror image: a core-driver file, H5Fget_file_image, ZipWriter::add.
// extract_to() is there for members too large to hold in memory twice.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "framework/core/options.h"

namespace nabla {

/// How much a ZipReader inflates at most. The defaults hold any model nabla trains; raise them
/// for larger weights files.
struct ZipLimits {
  /// Largest declared uncompressed size of one member read or extracted.
  NABLA_ARG(uint64_t, max_member_size) = uint64_t{2} << 30;  // 2 GiB
  /// Largest sum of all members' declared uncompressed sizes; checked when the archive is opened.
  NABLA_ARG(uint64_t, max_total_size) = uint64_t{4} << 30;  // 4 GiB
  /// Most members an archive may list.
  NABLA_ARG(uint64_t, max_members) = 100000;
};

/// One member of an archive, as its central directory declares it.
struct ZipEntry {
  std::string name;              ///< Path inside the archive ("model.weights.h5").
  uint64_t size = 0;             ///< Declared uncompressed size in bytes.
  uint64_t compressed_size = 0;  ///< Size of the stored or deflated data in bytes.
  uint16_t method = 0;           ///< Compression method: 0 stored, 8 deflated, others refused.
  uint32_t crc = 0;              ///< Declared CRC-32 of the uncompressed data.
  bool encrypted = false;        ///< Encrypted members are refused.
};

/// How ZipWriter stores a member. Keras 3 stores every member of a .keras (no compression).
enum class ZipMethod { kStore, kDeflate };

/// A zip archive opened read-only. Not for use by several threads at once.
class ZipReader {
 public:
  /// Opens `path` and reads its central directory. IOError when the file is missing, is not a
  /// zip archive, is truncated or inconsistent, lists more than `limits.max_members` members, or
  /// declares more than `limits.max_total_size` bytes in all.
  explicit ZipReader(const std::string& path, ZipLimits limits = {});
  ~ZipReader();
  ZipReader(ZipReader&&) noexcept;
  ZipReader& operator=(ZipReader&&) noexcept;

  /// The path the archive was opened from (every message names it).
  const std::string& path() const { return path_; }
  /// The members in the archive's order.
  const std::vector<ZipEntry>& entries() const { return entries_; }
  /// Whether a member of that exact name exists.
  bool has(const std::string& member) const;
  /// The member's entry; IOError naming the members there are when it is missing.
  const ZipEntry& entry(const std::string& member) const;
  /// The member's uncompressed bytes. IOError when it is missing, encrypted, compressed with a
  /// method other than store or deflate, declared larger than `max_member_size`, inflates to more
  /// or fewer bytes than declared, has corrupt compressed data or a wrong CRC.
  std::string read(const std::string& member) const;
  /// Writes the member to the file `destination` (through a temporary file renamed into place, so
  /// a failure leaves no partial file) with the checks of read() and bounded memory.
  void extract_to(const std::string& member, const std::string& destination) const;

 private:
  struct Impl;
  /// Calls `sink` with each inflated chunk, after the checks; throws on any failure.
  void inflate(const ZipEntry& e, const std::function<void(const char*, size_t)>& sink) const;
  [[noreturn]] void fail(const std::string& member, const std::string& what) const;
  std::string path_;
  ZipLimits limits_;
  std::vector<ZipEntry> entries_;
  std::unique_ptr<Impl> impl_;
};

/// Writes a new zip archive. Nothing is written before close(): libzip then writes a temporary
/// file next to `path` and renames it over `path`, so a failed or abandoned write leaves an
/// existing file at `path` untouched.
class ZipWriter {
 public:
  /// Prepares to write `path` (an existing file there is replaced at close()). IOError when the
  /// path cannot be used.
  explicit ZipWriter(const std::string& path);
  /// Discards the archive when close() was not called or failed.
  ~ZipWriter();
  ZipWriter(const ZipWriter&) = delete;
  ZipWriter& operator=(const ZipWriter&) = delete;

  /// Adds a member from bytes (kept until close()). ValueError for an empty name or one already
  /// added; StateError after close().
  void add(const std::string& member, std::string data, ZipMethod method = ZipMethod::kStore);
  /// Adds a member read from the file `source` at close(), so a large file is never held in memory.
  void add_file(const std::string& member, const std::string& source,
                ZipMethod method = ZipMethod::kStore);
  /// Writes the archive. IOError naming the path and libzip's reason when it cannot be written;
  /// StateError when no member was added (libzip writes no file for an empty archive).
  void close();

 private:
  struct Impl;
  void check_can_add(const std::string& member) const;
  void add_source(const std::string& member, void* source, ZipMethod method);
  std::string path_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nabla
