// CRC-32C (Castagnoli), the checksum of TFRecord framing, and TFRecord's masked form of it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace nabla::tensorboard {

/// CRC-32C of `size` bytes at `data`, continuing from `crc` (0 to start a new checksum):
/// crc32c("123456789") == 0xE3069283.
uint32_t crc32c(const void* data, size_t size, uint32_t crc = 0);
/// CRC-32C of a string's bytes.
inline uint32_t crc32c(std::string_view bytes) {
  return crc32c(bytes.data(), bytes.size());
}

/// The masked CRC that TFRecord files store: rotated right by 15 bits plus 0xa282ead8, because
/// the CRC of bytes that themselves hold CRCs is weak.
inline uint32_t mask_crc(uint32_t crc) {
  return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}
/// mask_crc(crc32c(bytes)).
inline uint32_t masked_crc32c(std::string_view bytes) {
  return mask_crc(crc32c(bytes));
}

}  // namespace nabla::tensorboard
