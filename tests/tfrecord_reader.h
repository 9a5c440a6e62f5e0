// The low half of the tests' independent event-file reader: TFRecord framing checked with a
// bitwise CRC-32C of its own, and a minimal protocol-buffer wire-format decoder. It shares no
// code with nabla's writer (a table CRC and protobuf's generated classes), so a mistake in one is
// not mirrored in the other. tfevent_reader.h decodes TensorFlow's messages on top of it.
#pragma once

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace tfevents {

// CRC-32C one bit at a time, straight from the definition (reflected polynomial 0x82F63B78).
inline uint32_t crc32c_bitwise(const std::string& bytes) {
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char byte : bytes) {
    crc ^= byte;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
  }
  return ~crc;
}

inline uint32_t masked(uint32_t crc) {
  return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}

inline uint64_t le(const std::string& s, size_t at, int bytes) {
  if (at + static_cast<size_t>(bytes) > s.size()) throw std::runtime_error("truncated record");
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= uint64_t(static_cast<unsigned char>(s[at + i])) << (8 * i);
  return v;
}

// Every record of a TFRecord file; throws on a bad length CRC, a bad data CRC or truncation.
inline std::vector<std::string> read_records(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path.string());
  const std::string file((std::istreambuf_iterator<char>(in)), {});
  std::vector<std::string> records;
  size_t at = 0;
  while (at < file.size()) {
    const uint64_t length = le(file, at, 8);
    if (masked(crc32c_bitwise(file.substr(at, 8))) != le(file, at + 8, 4))
      throw std::runtime_error("bad length CRC at byte " + std::to_string(at));
    const std::string data = file.substr(at + 12, length);
    if (data.size() != length) throw std::runtime_error("truncated record data");
    if (masked(crc32c_bitwise(data)) != le(file, at + 12 + length, 4))
      throw std::runtime_error("bad data CRC at byte " + std::to_string(at));
    records.push_back(data);
    at += 12 + length + 4;
  }
  return records;
}

// ---- protocol-buffer wire format ----

struct Field {
  int number = 0;
  int wire_type = 0;   // 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32
  uint64_t value = 0;  // varint, fixed64 or fixed32 bits
  std::string bytes;   // length-delimited payload
};

inline uint64_t varint(const std::string& s, size_t& at) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (at >= s.size()) throw std::runtime_error("truncated varint");
    const auto b = static_cast<unsigned char>(s[at++]);
    v |= uint64_t(b & 0x7F) << shift;
    if (!(b & 0x80)) return v;
  }
  throw std::runtime_error("varint too long");
}

inline std::vector<Field> fields(const std::string& message) {
  std::vector<Field> out;
  size_t at = 0;
  while (at < message.size()) {
    Field f;
    const uint64_t key = varint(message, at);
    f.number = static_cast<int>(key >> 3);
    f.wire_type = static_cast<int>(key & 7);
    if (f.wire_type == 0) {
      f.value = varint(message, at);
    } else if (f.wire_type == 1) {
      f.value = le(message, at, 8), at += 8;
    } else if (f.wire_type == 5) {
      f.value = le(message, at, 4), at += 4;
    } else if (f.wire_type == 2) {
      const uint64_t n = varint(message, at);
      if (at + n > message.size()) throw std::runtime_error("truncated field");
      f.bytes = message.substr(at, n), at += n;
    } else {
      throw std::runtime_error("unexpected wire type " + std::to_string(f.wire_type));
    }
    out.push_back(f);
  }
  return out;
}

inline const Field* find(const std::vector<Field>& fs, int number) {
  for (const Field& f : fs)
    if (f.number == number) return &f;
  return nullptr;
}

inline std::string bytes_of(const std::vector<Field>& fs, int number) {
  const Field* f = find(fs, number);
  return f ? f->bytes : std::string();
}

inline double as_double(uint64_t bits) {
  double d;
  std::memcpy(&d, &bits, 8);
  return d;
}

inline float as_float(uint64_t bits) {
  const auto b = static_cast<uint32_t>(bits);
  float f;
  std::memcpy(&f, &b, 4);
  return f;
}

}  // namespace tfevents
