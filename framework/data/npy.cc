// NumPy .npy files. The header is parsed by hand (no regex: libstdc++'s recursive matcher can
// overflow the stack on a long header), every size is checked against the file before anything is
// allocated, and values convert to the requested type the way TensorFlow's saturating cast does.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

#include "framework/core/errors.h"
#include "framework/data/loaders.h"
#include "framework/io/atomic_file.h"
#include "framework/ops/ops.h"

namespace nabla {
namespace {

// numpy writes headers of a few hundred bytes (and reads at most 10000 by default).
constexpr uint64_t kMaxHeaderBytes = 1 << 20;

struct NpyHeader {
  char kind = 0;  // 'f', 'i', 'u' or 'b'
  int bytes = 0;  // per element
  Shape shape;
  uint64_t elements = 1;
};

// The text after `'key':` (spaces skipped), or npos.
size_t value_of(const std::string& header, const std::string& key) {
  for (const char quote : {'\'', '"'}) {
    const size_t at = header.find(quote + key + quote);
    if (at == std::string::npos) continue;
    size_t p = header.find_first_not_of(" \t", at + key.size() + 2);
    if (p == std::string::npos || header[p] != ':') return std::string::npos;
    return header.find_first_not_of(" \t", p + 1);
  }
  return std::string::npos;
}

NpyHeader parse_header(const std::string& header, const std::string& path) {
  auto bad = [&](const std::string& what) -> IOError {
    return IOError("'" + path + "': " + what + " in the .npy header " + header.substr(0, 200));
  };
  NpyHeader h;
  size_t p = value_of(header, "descr");
  if (p == std::string::npos || p + 4 > header.size() || (header[p] != '\'' && header[p] != '"'))
    throw bad("no 'descr'");
  const char order = header[p + 1];
  h.kind = header[p + 2];
  size_t q = p + 3;
  int bytes = 0;
  while (q < header.size() && std::isdigit(static_cast<unsigned char>(header[q])) && bytes < 100)
    bytes = bytes * 10 + (header[q++] - '0');
  if (q >= header.size() || header[q] != header[p] ||
      std::string("<>|=").find(order) == std::string::npos ||
      std::string("fiub").find(h.kind) == std::string::npos)
    throw bad("unsupported dtype");
  const bool sized = (h.kind == 'f' && (bytes == 4 || bytes == 8)) ||
                     ((h.kind == 'i' || h.kind == 'u') &&
                      (bytes == 1 || bytes == 2 || bytes == 4 || bytes == 8)) ||
                     (h.kind == 'b' && bytes == 1);
  if (!sized) throw bad("unsupported dtype");
  if (order == '>' && bytes > 1)
    throw IOError("'" + path + "': big-endian .npy data is not supported");
  h.bytes = bytes;
  p = value_of(header, "fortran_order");
  if (p == std::string::npos) throw bad("no 'fortran_order'");
  if (header.compare(p, 4, "True") == 0)
    throw IOError("'" + path + "': Fortran-ordered .npy arrays are not supported");
  p = value_of(header, "shape");
  if (p == std::string::npos || header[p] != '(') throw bad("no 'shape'");
  const size_t close = header.find(')', p);
  if (close == std::string::npos) throw bad("an unterminated 'shape'");
  for (size_t i = p + 1; i < close;) {
    if (!std::isdigit(static_cast<unsigned char>(header[i]))) {
      if (header[i] != ',' && header[i] != ' ' && header[i] != 'L') throw bad("a bad 'shape'");
      ++i;
      continue;
    }
    uint64_t d = 0;
    for (; i < close && std::isdigit(static_cast<unsigned char>(header[i])); ++i) {
      d = d * 10 + static_cast<uint64_t>(header[i] - '0');
      if (d > (uint64_t{1} << 62)) throw bad("a dimension too large");
    }
    if (h.shape.rank() == Shape::kMaxRank) throw bad("more than 8 dimensions");
    if (d != 0 && h.elements > (uint64_t{1} << 62) / d) throw bad("too many elements");
    h.elements *= d;
    h.shape.push_back(static_cast<int64_t>(d));
  }
  return h;
}

// TensorFlow's saturating conversions: NaN becomes 0, values past the type's range its min/max.
template <class Out>
Out from_double(double v) {
  if constexpr (std::is_floating_point_v<Out>) {
    return static_cast<Out>(v);
  } else {
    if (std::isnan(v)) return 0;
    if (v <= static_cast<double>(std::numeric_limits<Out>::min()))
      return std::numeric_limits<Out>::min();
    // max() as a double rounds up for int64, so >= catches every value past it.
    if (v >= static_cast<double>(std::numeric_limits<Out>::max()))
      return std::numeric_limits<Out>::max();
    return static_cast<Out>(v);
  }
}

template <class Out>
Out from_int(int64_t v) {
  if constexpr (std::is_floating_point_v<Out>) {
    return static_cast<Out>(v);
  } else {
    return static_cast<Out>(
        std::clamp<int64_t>(v, std::numeric_limits<Out>::min(), std::numeric_limits<Out>::max()));
  }
}

template <class Out>
Out from_uint(uint64_t v) {
  if constexpr (std::is_floating_point_v<Out>) {
    return static_cast<Out>(v);
  } else {
    return static_cast<Out>(std::min<uint64_t>(v, std::numeric_limits<Out>::max()));
  }
}

template <class T>
T load(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

template <class Out>
void convert(const NpyHeader& h, const char* raw, Out* out) {
  for (uint64_t i = 0; i < h.elements; ++i) {
    const char* p = raw + i * static_cast<uint64_t>(h.bytes);
    switch (h.kind == 'b' ? 'u' : h.kind) {
      case 'f':
        out[i] = from_double<Out>(h.bytes == 4 ? load<float>(p) : load<double>(p));
        break;
      case 'i':
        out[i] = from_int<Out>(h.bytes == 1   ? load<int8_t>(p)
                               : h.bytes == 2 ? load<int16_t>(p)
                               : h.bytes == 4 ? load<int32_t>(p)
                                              : load<int64_t>(p));
        break;
      default:
        out[i] = from_uint<Out>(h.bytes == 1   ? load<uint8_t>(p)
                                : h.bytes == 2 ? load<uint16_t>(p)
                                : h.bytes == 4 ? load<uint32_t>(p)
                                               : load<uint64_t>(p));
    }
  }
}

}  // namespace

Tensor load_npy(const std::string& path, DType dtype) {
  if (dtype != DType::Float32 && dtype != DType::Float64 && dtype != DType::Int32 &&
      dtype != DType::Int64)
    throw TypeError("load_npy reads float32, float64, int32 or int64, not " +
                    std::string(dtype_name(dtype)));
  std::ifstream in(path, std::ios::binary);
  std::error_code ec;
  const uint64_t file_size = std::filesystem::file_size(path, ec);
  if (!in || ec) throw IOError("cannot open '" + path + "'");
  unsigned char magic[10];
  if (!in.read(reinterpret_cast<char*>(magic), 10) || std::memcmp(magic, "\x93NUMPY", 6) != 0)
    throw IOError("'" + path + "' is not a .npy file (bad magic)");
  const int version = magic[6];
  if (version < 1 || version > 3)
    throw IOError("'" + path + "': unknown .npy format version " + std::to_string(version));
  uint64_t header_len = magic[8] | (uint64_t{magic[9]} << 8);
  uint64_t header_start = 10;
  if (version > 1) {  // versions 2 and 3: a 4-byte header length
    unsigned char more[2];
    if (!in.read(reinterpret_cast<char*>(more), 2))
      throw IOError("'" + path + "': truncated .npy header");
    header_len |= (uint64_t{more[0]} << 16) | (uint64_t{more[1]} << 24);
    header_start = 12;
  }
  if (header_len > kMaxHeaderBytes || header_len > file_size - header_start)
    throw IOError("'" + path + "': its .npy header claims " + std::to_string(header_len) +
                  " bytes but the file has " + std::to_string(file_size) + " (truncated?)");
  std::string header(header_len, '\0');
  if (!in.read(header.data(), static_cast<std::streamsize>(header_len)))
    throw IOError("'" + path + "': truncated .npy header");
  const NpyHeader h = parse_header(header, path);
  const uint64_t data_bytes = file_size - header_start - header_len;
  if (h.elements > data_bytes / static_cast<uint64_t>(h.bytes))
    throw IOError("'" + path + "': the .npy data (" + std::to_string(data_bytes) +
                  " bytes) is shorter than its shape " + h.shape.to_string() + " needs (" +
                  std::to_string(h.elements) + " values of " + std::to_string(h.bytes) +
                  " bytes; truncated?)");
  std::vector<char> raw(h.elements * static_cast<uint64_t>(h.bytes));
  if (!in.read(raw.data(), static_cast<std::streamsize>(raw.size())))
    throw IOError("'" + path + "': cannot read the .npy data");
  Tensor out = Tensor::empty(h.shape, dtype);
  switch (dtype) {
    case DType::Float32:
      convert(h, raw.data(), out.data<float>());
      break;
    case DType::Float64:
      convert(h, raw.data(), out.data<double>());
      break;
    case DType::Int32:
      convert(h, raw.data(), out.data<int32_t>());
      break;
    default:
      convert(h, raw.data(), out.data<int64_t>());
  }
  return out;
}

void save_npy(const std::string& path, const Tensor& t) {
  Tensor host = t.to(Device::CPU);
  if (host.dtype() != DType::Float32) host = cast(host, DType::Float32);
  // Python tuple syntax: (), (3,), (2, 3)
  std::string shape = "(";
  for (int i = 0; i < host.rank(); ++i) shape += (i ? ", " : "") + std::to_string(host.shape()[i]);
  shape += host.rank() == 1 ? ",)" : ")";
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
  while ((10 + header.size() + 1) % 64) header += ' ';
  header += '\n';
  const char magic[10] = {'\x93',
                          'N',
                          'U',
                          'M',
                          'P',
                          'Y',
                          1,
                          0,
                          static_cast<char>(header.size() & 0xff),
                          static_cast<char>(header.size() >> 8)};
  write_chunks_atomically(
      path, {std::string_view(magic, sizeof magic), header,
             std::string_view(static_cast<const char*>(host.raw_data()), host.storage()->bytes())});
}

}  // namespace nabla
