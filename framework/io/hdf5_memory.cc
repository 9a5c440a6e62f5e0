#include "framework/io/hdf5_memory.h"

#include <hdf5.h>

#include <unistd.h>
#include <atomic>
#include <cstring>

#include "framework/core/errors.h"
#include "framework/io/hdf5_format.h"

namespace nabla::h5 {
namespace {

// HDF5 knows an open file by its name, and the core driver compares files by name: two images
// opened under one name would be taken for the same file. Each image gets a name of its own.
std::string unique_name() {
  static std::atomic<uint64_t> counter{0};
  return "nabla-image-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
}

// Closes a property list or file identifier on every path out.
struct Id {
  hid_t id;
  herr_t (*close)(hid_t);
  ~Id() {
    if (id >= 0) close(id);
  }
};

constexpr char kSignature[] = "\x89HDF\r\n\x1a\n";

// HDF5 looks for its signature at 0, 512, 1024, 2048, ... (after a user block).
bool has_signature(const std::string& bytes) {
  for (size_t at = 0; at + 8 <= bytes.size(); at = at ? at * 2 : 512)
    if (std::memcmp(bytes.data() + at, kSignature, 8) == 0) return true;
  return false;
}

}  // namespace

Group open_image(const std::string& bytes, const std::string& name) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // nabla reports errors itself
  if (!has_signature(bytes))
    throw IOError("HDF5 file '" + name + "' is not an HDF5 file (" + std::to_string(bytes.size()) +
                  " bytes without HDF5's signature)");
  // The root group's object header is loaded by H5Fopen itself: checked first, as open_file
  // checks a file on disk.
  uint64_t root_object = 0;
  const format::FileInfo info =
      format::read_superblock(std::make_shared<const std::string>(bytes), name, &root_object);
  format::check_object_header(info, root_object, "HDF5 file '" + name + "', path '/'");
  Id fapl{H5Pcreate(H5P_FILE_ACCESS), H5Pclose};
  if (fapl.id < 0 || H5Pset_fapl_core(fapl.id, 1 << 16, /*backing_store=*/0) < 0 ||
      H5Pset_file_image(fapl.id, const_cast<char*>(bytes.data()), bytes.size()) < 0)
    throw IOError("HDF5 file '" + name + "': cannot prepare an in-memory file image");
  const std::string internal = unique_name();
  Id file{H5Fopen(internal.c_str(), H5F_ACC_RDONLY, fapl.id), H5Fclose};
  if (file.id < 0) {
    H5Eclear2(H5E_DEFAULT);
    throw IOError("cannot open HDF5 file '" + name + "' (truncated or damaged?)");
  }
  return root_group(file.id, name);  // the group keeps the file open
}

std::string write_image(const std::string& name, const std::function<void(Group& root)>& write) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  Id fapl{H5Pcreate(H5P_FILE_ACCESS), H5Pclose};
  if (fapl.id < 0 || H5Pset_fapl_core(fapl.id, 1 << 20, /*backing_store=*/0) < 0)
    throw IOError("HDF5 file '" + name + "': cannot prepare an in-memory file");
  const std::string internal = unique_name();
  Id file{H5Fcreate(internal.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.id), H5Fclose};
  if (file.id < 0) throw IOError("cannot create the in-memory HDF5 file '" + name + "'");
  {
    Group root = root_group(file.id, name);
    write(root);
  }  // every object closed before the image is taken
  if (H5Fflush(file.id, H5F_SCOPE_GLOBAL) < 0)
    throw IOError("HDF5 file '" + name + "': cannot flush the in-memory file");
  const ssize_t size = H5Fget_file_image(file.id, nullptr, 0);
  if (size <= 0) throw IOError("HDF5 file '" + name + "': cannot take the in-memory file image");
  std::string bytes(static_cast<size_t>(size), '\0');
  if (H5Fget_file_image(file.id, bytes.data(), bytes.size()) != size)
    throw IOError("HDF5 file '" + name + "': cannot copy the in-memory file image");
  return bytes;
}

}  // namespace nabla::h5
