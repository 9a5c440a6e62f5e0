// Helpers for the zip tests: a temporary folder, file bytes, and zip archives built byte by
// byte so that a test can declare any sizes, flags and methods it wants (bombs, liars, encrypted
// or bzip2 members) without a zip library that would refuse to write them.
#pragma once

#include <sys/resource.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "framework/core/errors.h"
#include "temp_dir.h"

namespace nabla::ziptest {

using testing::TempDir;

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

inline void spit(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
}

// A member of a zip built byte by byte, so a test can declare whatever it wants.
struct RawMember {
  std::string name;
  std::string data;  // stored or raw-deflated bytes, as written
  uint16_t method = 0;
  uint16_t flags = 0;
  uint32_t crc = 0;
  uint32_t size = 0;  // declared uncompressed size
};

// Little-endian; fields wider than 8 bytes (runs of zeros) are padded with zero bytes.
inline void put(std::string& out, uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i)
    out.push_back(i < 8 ? static_cast<char>((value >> (8 * i)) & 0xff) : '\0');
}

// Local headers and data, then the central directory and its end record (no zip64).
inline std::string build_zip(const std::vector<RawMember>& members) {
  std::string out, central;
  for (const auto& m : members) {
    const size_t offset = out.size();
    for (std::string* h : {&out, &central}) {
      const bool local = h == &out;
      put(*h, local ? 0x04034b50 : 0x02014b50, 4);
      if (!local) put(*h, 20, 2);  // version made by
      put(*h, 20, 2);              // version needed
      put(*h, m.flags, 2);
      put(*h, m.method, 2);
      put(*h, 0, 4);  // time, date
      put(*h, m.crc, 4);
      put(*h, m.data.size(), 4);
      put(*h, m.size, 4);
      put(*h, m.name.size(), 2);
      put(*h, 0, 2);                                   // extra field length
      if (!local) put(*h, 0, 10), put(*h, offset, 4);  // comment len..attributes, offset
      *h += m.name;
    }
    out += m.data;
  }
  const size_t cd_offset = out.size();
  out += central;
  put(out, 0x06054b50, 4);
  put(out, 0, 4);
  put(out, members.size(), 2);
  put(out, members.size(), 2);
  put(out, central.size(), 4);
  put(out, cd_offset, 4);
  put(out, 0, 2);
  return out;
}

// Raw deflate of `zeros` zero bytes, streamed so the zeros never exist in memory at once.
inline std::string deflate_zeros(uint64_t zeros, uint32_t* crc) {
  z_stream s{};
  if (deflateInit2(&s, 1, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("deflateInit2 failed");
  std::vector<unsigned char> in(1 << 16, 0), buf(1 << 16);
  std::string out;
  uLong c = crc32(0L, Z_NULL, 0);
  for (uint64_t left = zeros;;) {
    const uInt n = static_cast<uInt>(std::min<uint64_t>(left, in.size()));
    c = crc32(c, in.data(), n);
    left -= n;
    s.next_in = in.data();
    s.avail_in = n;
    do {
      s.next_out = buf.data();
      s.avail_out = static_cast<uInt>(buf.size());
      deflate(&s, left ? Z_NO_FLUSH : Z_FINISH);
      out.append(reinterpret_cast<char*>(buf.data()), buf.size() - s.avail_out);
    } while (s.avail_out == 0);
    if (!left) break;
  }
  deflateEnd(&s);
  *crc = static_cast<uint32_t>(c);
  return out;
}

inline RawMember stored(const std::string& name, const std::string& data) {
  const auto crc = crc32(0L, reinterpret_cast<const Bytef*>(data.data()), uInt(data.size()));
  return {name, data, 0, 0, static_cast<uint32_t>(crc), static_cast<uint32_t>(data.size())};
}

inline long max_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

}  // namespace nabla::ziptest
