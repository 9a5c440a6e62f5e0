// ZipReader: a bounded reader over libzip. libzip parses the archive and inflates; this file
// decides what is refused, caps the inflated bytes at the declared size, checks the CRC itself
// (zlib's crc32) and turns every failure into an IOError naming archive and member.
#include <zip.h>
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "framework/core/errors.h"
#include "framework/io/zip_archive.h"

namespace nabla {

namespace {

std::string libzip_message(int code) {
  zip_error_t error;
  zip_error_init_with_code(&error, code);
  std::string message = zip_error_strerror(&error);
  zip_error_fini(&error);
  return message;
}

// What an error code from zip_open means for the user.
std::string open_problem(int code) {
  switch (code) {
    case ZIP_ER_NOENT:
      return "no such file";
    case ZIP_ER_NOZIP:
      return "not a zip archive (no end-of-central-directory record: not a zip file, or one "
             "truncated at the end)";
    case ZIP_ER_INCONS:
      return "inconsistent zip archive (its central directory and member headers disagree: "
             "truncated or corrupt)";
    case ZIP_ER_MULTIDISK:
      return "multi-disk zip archives are not supported";
    case ZIP_ER_EOF:
    case ZIP_ER_READ:
    case ZIP_ER_SEEK:
      return "truncated or unreadable zip archive (" + libzip_message(code) + ")";
    default:
      return "cannot open zip archive (" + libzip_message(code) + ")";
  }
}

// What an error code from reading a member means.
std::string read_problem(int code) {
  switch (code) {
    case ZIP_ER_CRC:
      return "CRC mismatch: the member's data is corrupt";
    case ZIP_ER_ZLIB:
    case ZIP_ER_COMPRESSED_DATA:
      return "corrupt compressed data (inflate failed)";
    case ZIP_ER_EOF:
    case ZIP_ER_READ:
      return "truncated: the archive ends inside the member's data";
    case ZIP_ER_INCONS:
      return "its data does not match its declared size or headers (corrupt, or a zip bomb "
             "lying about its size)";
    default:
      return libzip_message(code);
  }
}

std::string method_name(uint16_t method) {
  switch (method) {
    case ZIP_CM_BZIP2:
      return "bzip2";
    case ZIP_CM_LZMA:
      return "lzma";
    case ZIP_CM_XZ:
      return "xz";
    case 93:
      return "zstd";
    case ZIP_CM_IMPLODE:
      return "implode";
    default:
      return "unknown";
  }
}

}  // namespace

struct ZipReader::Impl {
  zip_t* archive = nullptr;
  ~Impl() {
    if (archive) zip_discard(archive);  // read-only: discard releases without writing
  }
};

ZipReader::ZipReader(const std::string& path, ZipLimits limits)
    : path_(path), limits_(limits), impl_(std::make_unique<Impl>()) {
  int code = 0;
  impl_->archive = zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code);
  if (!impl_->archive) throw IOError("zip archive '" + path + "': " + open_problem(code));
  const zip_int64_t n = zip_get_num_entries(impl_->archive, 0);
  if (n < 0 || static_cast<uint64_t>(n) > limits_.max_members())
    throw IOError("zip archive '" + path + "': lists " + std::to_string(n) +
                  " members, more than the limit of " + std::to_string(limits_.max_members()));
  uint64_t total = 0;
  for (zip_int64_t i = 0; i < n; ++i) {
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(impl_->archive, static_cast<zip_uint64_t>(i), 0, &st) != 0)
      throw IOError("zip archive '" + path + "': cannot read the entry of member " +
                    std::to_string(i) + " (" + zip_strerror(impl_->archive) + ")");
    ZipEntry e;
    e.name = st.name ? st.name : "";
    e.size = st.size;
    e.compressed_size = st.comp_size;
    e.method = st.comp_method;
    e.crc = st.crc;
    e.encrypted = st.encryption_method != ZIP_EM_NONE;
    total += e.size;
    if (total < e.size || total > limits_.max_total_size())
      throw IOError("zip archive '" + path + "': its members declare more than " +
                    std::to_string(limits_.max_total_size()) +
                    " bytes uncompressed in all (the limit; a zip bomb?); refused before "
                    "inflating anything");
    entries_.push_back(std::move(e));
  }
}

ZipReader::~ZipReader() = default;
ZipReader::ZipReader(ZipReader&&) noexcept = default;
ZipReader& ZipReader::operator=(ZipReader&&) noexcept = default;

void ZipReader::fail(const std::string& member, const std::string& what) const {
  throw IOError("zip archive '" + path_ + "', member '" + member + "': " + what);
}

bool ZipReader::has(const std::string& member) const {
  for (const auto& e : entries_)
    if (e.name == member) return true;
  return false;
}

const ZipEntry& ZipReader::entry(const std::string& member) const {
  for (const auto& e : entries_)
    if (e.name == member) return e;
  std::string names;
  for (const auto& e : entries_) names += (names.empty() ? "" : ", ") + e.name;
  fail(member, "no such member (the archive has: " + (names.empty() ? "nothing" : names) + ")");
}

void ZipReader::inflate(const ZipEntry& e,
                        const std::function<void(const char*, size_t)>& sink) const {
  if (e.encrypted) fail(e.name, "encrypted members are not supported");
  if (e.method != ZIP_CM_STORE && e.method != ZIP_CM_DEFLATE)
    fail(e.name, "unsupported compression method " + std::to_string(e.method) + " (" +
                     method_name(e.method) + "); only stored and deflated members are read");
  if (e.size > limits_.max_member_size())
    fail(e.name, "declared uncompressed size of " + std::to_string(e.size) +
                     " bytes exceeds the limit of " + std::to_string(limits_.max_member_size()) +
                     " bytes (a zip bomb?); refused before inflating");
  if (e.method == ZIP_CM_STORE && e.size != e.compressed_size)
    fail(e.name, "stored member whose size (" + std::to_string(e.size) +
                     ") differs from its stored data size (" + std::to_string(e.compressed_size) +
                     "): corrupt");
  // entries_ holds every member in libzip's order, so a position is libzip's index.
  const auto index = static_cast<zip_uint64_t>(&e - entries_.data());
  zip_file_t* file = zip_fopen_index(impl_->archive, index, 0);
  if (!file) fail(e.name, "cannot open: " + std::string(zip_strerror(impl_->archive)));
  struct Closer {
    zip_file_t* f;
    ~Closer() { zip_fclose(f); }
  } closer{file};

  // Read until libzip reports the end (so that it checks its own CRC too), but never keep more
  // than the declared size: one byte past it is enough to know the member lies.
  std::vector<char> chunk(64 * 1024);
  uint64_t done = 0;
  uLong crc = crc32(0L, Z_NULL, 0);
  for (;;) {
    const uint64_t room = e.size - done + 1;
    const zip_int64_t got = zip_fread(file, chunk.data(), std::min<uint64_t>(chunk.size(), room));
    if (got < 0) fail(e.name, read_problem(zip_error_code_zip(zip_file_get_error(file))));
    if (got == 0) break;
    done += static_cast<uint64_t>(got);
    if (done > e.size)
      fail(e.name, "inflates to more than its declared size of " + std::to_string(e.size) +
                       " bytes (corrupt, or a zip bomb); stopped there");
    crc = crc32(crc, reinterpret_cast<const Bytef*>(chunk.data()), static_cast<uInt>(got));
    sink(chunk.data(), static_cast<size_t>(got));
  }
  if (done != e.size)
    fail(e.name, "truncated: inflated " + std::to_string(done) + " of its declared " +
                     std::to_string(e.size) + " bytes");
  if (static_cast<uint32_t>(crc) != e.crc)
    fail(e.name, "CRC mismatch: the member's data is corrupt");
}

std::string ZipReader::read(const std::string& member) const {
  const ZipEntry& e = entry(member);
  std::string out;
  if (e.size <= limits_.max_member_size()) out.reserve(e.size);
  inflate(e, [&](const char* data, size_t n) { out.append(data, n); });
  return out;
}

void ZipReader::extract_to(const std::string& member, const std::string& destination) const {
  const ZipEntry& e = entry(member);
  const std::string temporary = destination + ".part";
  std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
  if (!out) fail(member, "cannot create '" + temporary + "' to extract it to");
  try {
    inflate(e, [&](const char* data, size_t n) {
      out.write(data, static_cast<std::streamsize>(n));
      if (!out) fail(member, "cannot write '" + temporary + "' (disk full?)");
    });
    out.close();
    if (!out) fail(member, "cannot write '" + temporary + "' (disk full?)");
    std::filesystem::rename(temporary, destination);
  } catch (const std::filesystem::filesystem_error& err) {
    std::remove(temporary.c_str());
    fail(member, "cannot move the extracted file to '" + destination + "': " + err.what());
  } catch (...) {
    out.close();
    std::remove(temporary.c_str());
    throw;
  }
}

}  // namespace nabla
