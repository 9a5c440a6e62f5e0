// IDX files (MNIST, Fashion-MNIST), gzip-compressed or raw. .npy files are in npy.cc.
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <fstream>

#include "framework/core/errors.h"
#include "framework/data/loaders.h"

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
  if (magic[3] > Shape::kMaxRank)
    throw IOError("'" + path + "': " + std::to_string(magic[3]) +
                  " dimensions in the IDX header (at most 8 are supported)");
  Shape shape;
  uint64_t n = 1;
  for (int i = 0; i < magic[3]; ++i) {
    unsigned char dim[4];
    if (in.read(dim, 4) != 4) throw IOError("'" + path + "': truncated IDX header");
    const uint64_t d = big_endian(dim);
    if (d != 0 && n > (uint64_t{1} << 62) / d)
      throw IOError("'" + path + "': the IDX header's dimensions multiply past 2^62 values");
    n *= d;
    shape.push_back(static_cast<int64_t>(d));
  }
  // The bytes are read before the tensor is allocated, so a header that claims more values than
  // the file holds costs no more memory than the file's data (a gzip file's size says nothing
  // about its content's).
  std::vector<unsigned char> bytes;
  while (bytes.size() < n) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(n - bytes.size(), 1 << 20));
    const size_t old = bytes.size();
    bytes.resize(old + want);
    const size_t got = in.read(bytes.data() + old, want);
    bytes.resize(old + got);
    if (got < want)
      throw IOError("'" + path + "': IDX header says " + std::to_string(n) +
                    " values but the file holds " + std::to_string(bytes.size()) + " (truncated?)");
  }
  unsigned char extra;
  if (in.read(&extra, 1) != 0) throw IOError("'" + path + "': more data than its IDX header says");
  Tensor out = Tensor::empty(shape, dtype);
  if (dtype == DType::Float32) {
    std::copy(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n), out.data<float>());
  } else {
    std::copy(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n), out.data<int32_t>());
  }
  return out;
}

}  // namespace nabla
