// ZipWriter over libzip. libzip writes nothing until zip_close, and then writes a temporary file
// beside the target and renames it, which gives the atomic save nabla promises for every file.
#include <zip.h>

#include <deque>
#include <set>

#include "framework/core/errors.h"
#include "framework/io/zip_archive.h"

namespace nabla {

struct ZipWriter::Impl {
  zip_t* archive = nullptr;
  std::deque<std::string> buffers;  // add()'s bytes: libzip reads them only at zip_close
  std::set<std::string> names;
  ~Impl() {
    if (archive) zip_discard(archive);
  }
};

ZipWriter::ZipWriter(const std::string& path) : path_(path), impl_(std::make_unique<Impl>()) {
  int code = 0;
  impl_->archive = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &code);
  if (!impl_->archive) {
    zip_error_t error;
    zip_error_init_with_code(&error, code);
    const std::string why = zip_error_strerror(&error);
    zip_error_fini(&error);
    throw IOError("cannot write zip archive '" + path + "': " + why);
  }
}

ZipWriter::~ZipWriter() = default;

void ZipWriter::check_can_add(const std::string& member) const {
  if (!impl_->archive)
    throw StateError("zip archive '" + path_ + "': member '" + member + "' added after close()");
  if (member.empty()) throw ValueError("zip archive '" + path_ + "': a member needs a name");
  if (impl_->names.count(member))
    throw ValueError("zip archive '" + path_ + "', member '" + member + "': added twice");
}

void ZipWriter::add(const std::string& member, std::string data, ZipMethod method) {
  check_can_add(member);
  impl_->buffers.push_back(std::move(data));
  const std::string& bytes = impl_->buffers.back();
  zip_source_t* source = zip_source_buffer(impl_->archive, bytes.data(), bytes.size(), 0);
  if (!source)
    throw IOError("zip archive '" + path_ + "', member '" + member +
                  "': " + zip_strerror(impl_->archive));
  add_source(member, source, method);
}

void ZipWriter::add_file(const std::string& member, const std::string& source_path,
                         ZipMethod method) {
  check_can_add(member);
  zip_source_t* source = zip_source_file(impl_->archive, source_path.c_str(), 0, -1);
  if (!source)
    throw IOError("zip archive '" + path_ + "', member '" + member + "': cannot read '" +
                  source_path + "': " + zip_strerror(impl_->archive));
  add_source(member, source, method);
}

void ZipWriter::add_source(const std::string& member, void* opaque, ZipMethod method) {
  auto* source = static_cast<zip_source_t*>(opaque);
  const zip_int64_t index = zip_file_add(impl_->archive, member.c_str(), source, ZIP_FL_ENC_UTF_8);
  if (index < 0) {
    const std::string why = zip_strerror(impl_->archive);
    zip_source_free(source);  // not taken by the archive
    throw IOError("zip archive '" + path_ + "', member '" + member + "': " + why);
  }
  impl_->names.insert(member);
  const int32_t cm = method == ZipMethod::kDeflate ? ZIP_CM_DEFLATE : ZIP_CM_STORE;
  if (zip_set_file_compression(impl_->archive, static_cast<zip_uint64_t>(index), cm, 0) != 0)
    throw IOError("zip archive '" + path_ + "', member '" + member +
                  "': cannot set its compression: " + zip_strerror(impl_->archive));
}

void ZipWriter::close() {
  if (!impl_->archive) throw StateError("zip archive '" + path_ + "': close() called twice");
  if (impl_->names.empty())
    throw StateError("zip archive '" + path_ +
                     "': no member added (libzip writes no file for an empty archive)");
  if (zip_close(impl_->archive) != 0) {
    const std::string why = zip_strerror(impl_->archive);
    zip_discard(impl_->archive);  // zip_close failed: the archive is still ours to free
    impl_->archive = nullptr;
    impl_->buffers.clear();
    throw IOError("cannot write zip archive '" + path_ + "': " + why);
  }
  impl_->archive = nullptr;  // zip_close freed it
  impl_->buffers.clear();
}

}  // namespace nabla
