// IDX and .npy files.
#include <zlib.h>

#include <cstring>
#include <fstream>
#include <regex>

#include "framework/core/errors.h"
#include "framework/data/loaders.h"
#include "framework/io/atomic_file.h"
#include "framework/ops/ops.h"

namespace nabla {
namespace {

// A gzip (or plain) file read through zlib, which also reads uncompressed files as they are.
class GzReader {
 public:
  explicit GzReader(const std::string& path) : path_(path), f_(gzopen(path.c_str(), "rb")) {
    if (!f_) throw IOError("cannot open '" + path + "'");
    gzbuffer(f_, 1 << 17);
  }
  ~GzReader() { gzclose(f_); }
  GzReader(const GzReader&) = delete;
  GzReader& operator=(const GzReader&) = delete;

  /// Reads up to n bytes; returns how many (fewer only at the end of the file).
  size_t read(void* out, size_t n) {
    size_t done = 0;
    while (done < n) {
      const unsigned chunk = static_cast<unsigned>(std::min<size_t>(n - done, 1u << 30));
      const int got = gzread(f_, static_cast<char*>(out) + done, chunk);
      if (got < 0) {
        int err = 0;
        const char* msg = gzerror(f_, &err);
        throw IOError("cannot read '" + path_ + "': " + (msg ? msg : "") +
                      " (truncated or damaged gzip?)");
      }
      if (got == 0) break;
      done += static_cast<size_t>(got);
    }
    return done;
  }

 private:
  std::string path_;
  gzFile f_;
};

uint32_t big_endian(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

}  // namespace

Tensor load_idx(const std::string& path, DType dtype) {
  if (dtype != DType::Float32 && dtype != DType::Int32)
    throw TypeError("load_idx reads float32 or int32, not " + std::string(dtype_name(dtype)));
  GzReader in(path);
  unsigned char magic[4];
  if (in.read(magic, 4) != 4 || magic[0] != 0 || magic[1] != 0)
    throw IOError("'" + path + "' is not an IDX file (bad magic number)");
  if (magic[2] != 0x08)
    throw IOError("'" + path + "': only unsigned-byte IDX data is supported (type 0x08)");
  Shape shape;
  for (int i = 0; i < magic[3]; ++i) {
    unsigned char dim[4];
    if (in.read(dim, 4) != 4) throw IOError("'" + path + "': truncated IDX header");
    shape.push_back(big_endian(dim));
  }
  // Converted block by block: the bytes of the whole file are never held at once.
  Tensor out = Tensor::empty(shape, dtype);
  const size_t n = static_cast<size_t>(shape.numel());
  std::vector<unsigned char> block(1 << 20);
  size_t done = 0;
  while (done < n) {
    const size_t want = std::min(block.size(), n - done);
    const size_t got = in.read(block.data(), want);
    for (size_t i = 0; i < got; ++i) {
      if (dtype == DType::Float32) {
        out.data<float>()[done + i] = block[i];
      } else {
        out.data<int32_t>()[done + i] = block[i];
      }
    }
    done += got;
    if (got < want)
      throw IOError("'" + path + "': IDX header says " + std::to_string(n) +
                    " values but the file holds " + std::to_string(done) + " (truncated?)");
  }
  unsigned char extra;
  if (in.read(&extra, 1) != 0) throw IOError("'" + path + "': more data than its IDX header says");
  return out;
}

Tensor load_npy(const std::string& path, DType dtype) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IOError("cannot open '" + path + "'");
  char magic[8];
  if (!in.read(magic, 8) || std::memcmp(magic, "\x93NUMPY", 6) != 0)
    throw IOError("'" + path + "' is not a .npy file (bad magic)");
  uint32_t header_len = 0;
  unsigned char len_bytes[4] = {0, 0, 0, 0};
  const int len_size = magic[6] == 1 ? 2 : 4;
  in.read(reinterpret_cast<char*>(len_bytes), len_size);
  for (int i = len_size - 1; i >= 0; --i) header_len = (header_len << 8) | len_bytes[i];
  std::string header(header_len, '\0');
  if (!in.read(header.data(), header_len)) throw IOError("'" + path + "': truncated .npy header");
  std::smatch m;
  if (!std::regex_search(header, m, std::regex(R"('descr':\s*'([<>|=])([fiub])(\d+)')")))
    throw IOError("'" + path + "': unsupported .npy dtype in header " + header);
  const std::string order = m[1], kind = m[2];
  const int bytes = std::stoi(m[3]);
  if (order == ">") throw IOError("'" + path + "': big-endian .npy data is not supported");
  if (std::regex_search(header, std::regex(R"('fortran_order':\s*True)")))
    throw IOError("'" + path + "': Fortran-ordered .npy arrays are not supported");
  if (!std::regex_search(header, m, std::regex(R"('shape':\s*\(([^)]*)\))")))
    throw IOError("'" + path + "': no shape in the .npy header");
  Shape shape;
  const std::string dims = m[1];
  static const std::regex number(R"(\d+)");
  std::sregex_iterator it(dims.begin(), dims.end(), number), end;
  for (; it != end; ++it) shape.push_back(std::stoll(it->str()));
  const size_t n = static_cast<size_t>(shape.numel());
  std::vector<char> raw(n * static_cast<size_t>(bytes));
  if (!in.read(raw.data(), static_cast<std::streamsize>(raw.size())))
    throw IOError("'" + path + "': the .npy data is shorter than its shape " + shape.to_string() +
                  " (truncated?)");
  std::vector<double> values(n);
  for (size_t i = 0; i < n; ++i) {
    const char* p = raw.data() + i * bytes;
    if (kind == "f" && bytes == 4)
      values[i] = *reinterpret_cast<const float*>(p);
    else if (kind == "f" && bytes == 8)
      values[i] = *reinterpret_cast<const double*>(p);
    else if (kind == "i" && bytes == 1)
      values[i] = *reinterpret_cast<const int8_t*>(p);
    else if (kind == "i" && bytes == 2)
      values[i] = *reinterpret_cast<const int16_t*>(p);
    else if (kind == "i" && bytes == 4)
      values[i] = *reinterpret_cast<const int32_t*>(p);
    else if (kind == "i" && bytes == 8)
      values[i] = static_cast<double>(*reinterpret_cast<const int64_t*>(p));
    else if ((kind == "u" || kind == "b") && bytes == 1)
      values[i] = *reinterpret_cast<const uint8_t*>(p);
    else
      throw IOError("'" + path + "': unsupported .npy dtype " + kind + std::to_string(bytes));
  }
  Tensor t = Tensor::from_vector(values, shape);
  return cast(t, dtype);
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
