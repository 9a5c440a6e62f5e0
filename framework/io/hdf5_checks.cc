#include "framework/io/hdf5_checks.h"

#include <hdf5.h>

#include <algorithm>
#include <memory>
#include <string>

#include "framework/core/errors.h"

namespace nabla::h5 {
namespace {

// Closes an HDF5 identifier with its own close function.
template <herr_t (*Close)(hid_t)>
struct Id {
  hid_t id;
  explicit Id(hid_t i) : id(i) {}
  ~Id() {
    if (id >= 0) Close(id);
  }
  Id(const Id&) = delete;
  Id& operator=(const Id&) = delete;
};

// deflate expands at most about 1032:1; a larger claim is a decompression bomb.
constexpr uint64_t kMaxDeflateRatio = 1100;

bool standard_number(hid_t type) {
  for (hid_t t : {H5T_IEEE_F32LE, H5T_IEEE_F32BE, H5T_IEEE_F64LE, H5T_IEEE_F64BE, H5T_STD_I8LE,
                  H5T_STD_I8BE,   H5T_STD_U8LE,   H5T_STD_U8BE,   H5T_STD_I16LE,  H5T_STD_I16BE,
                  H5T_STD_U16LE,  H5T_STD_U16BE,  H5T_STD_I32LE,  H5T_STD_I32BE,  H5T_STD_U32LE,
                  H5T_STD_U32BE,  H5T_STD_I64LE,  H5T_STD_I64BE,  H5T_STD_U64LE,  H5T_STD_U64BE})
    if (H5Tequal(type, t) > 0) return true;
  return false;
}

// The bytes of an in-memory file (the core driver, as hdf5_memory.cc opens .keras weights),
// null for a file on disk. Copied once per file: the last one is kept, by the file's internal
// name, which hdf5_memory.cc never gives twice in a process.
std::shared_ptr<const std::string> image_of(hid_t file, const std::string& path) {
  Id<H5Pclose> fapl(H5Fget_access_plist(file));
  if (fapl.id < 0 || H5Pget_driver(fapl.id) != H5FD_CORE) return nullptr;
  char name[256] = {};
  if (H5Fget_name(file, name, sizeof name) < 0)
    throw IOError("HDF5 file '" + path + "': cannot name the in-memory file");
  thread_local std::pair<std::string, std::shared_ptr<const std::string>> last;
  if (last.second && last.first == name) return last.second;
  const ssize_t size = H5Fget_file_image(file, nullptr, 0);
  auto bytes = std::make_shared<std::string>(size > 0 ? static_cast<size_t>(size) : 0, '\0');
  if (size <= 0 || H5Fget_file_image(file, bytes->data(), bytes->size()) != size)
    throw IOError("HDF5 file '" + path + "': cannot read the in-memory file image");
  last = {name, bytes};
  return bytes;
}

}  // namespace

format::FileInfo file_info(int64_t object, const std::string& path) {
  Id<H5Fclose> file(H5Iget_file_id(object));
  unsigned intent = 0;
  H5Fget_intent(file.id, &intent);
  if (intent & H5F_ACC_RDWR) H5Fflush(file.id, H5F_SCOPE_LOCAL);
  Id<H5Pclose> fcpl(H5Fget_create_plist(file.id));
  size_t offset_size = 0, length_size = 0;
  hsize_t user_block = 0, size = 0;
  if (file.id < 0 || fcpl.id < 0 || H5Pget_sizes(fcpl.id, &offset_size, &length_size) < 0 ||
      H5Pget_userblock(fcpl.id, &user_block) < 0 || H5Fget_filesize(file.id, &size) < 0)
    throw IOError("HDF5 file '" + path + "': cannot read its superblock's properties");
  if (offset_size < 2 || offset_size > 8 || length_size < 2 || length_size > 8)
    throw IOError("HDF5 file '" + path + "': unsupported address or length width");
  format::FileInfo info;
  info.path = path;
  info.size = size;
  info.image = image_of(file.id, path);
  // Reads of an image are checked against its bytes.
  if (info.image) info.size = std::min<uint64_t>(info.size, info.image->size());
  info.base = user_block;
  info.offset_size = static_cast<int>(offset_size);
  info.length_size = static_cast<int>(length_size);
  return info;
}

std::vector<format::Attribute> attributes_of(int64_t object, const std::string& path,
                                             const std::string& where) {
  H5O_info_t info;
  if (H5Oget_info2(object, &info, H5O_INFO_BASIC) < 0)
    throw IOError(where + ": cannot locate its object header (damaged file?)");
  return format::read_attributes(file_info(object, path), info.addr, where);
}

void check_link(int64_t group, const std::string& name, const std::string& path,
                const std::string& where) {
  {
    // A file open for writing is one nabla is writing: nothing to distrust.
    Id<H5Fclose> file(H5Iget_file_id(group));
    unsigned intent = 0;
    if (H5Fget_intent(file.id, &intent) >= 0 && (intent & H5F_ACC_RDWR)) return;
  }
  H5L_info_t info;
  if (H5Lget_info(group, name.c_str(), &info, H5P_DEFAULT) < 0)
    throw IOError(where + ": cannot read the link (damaged file?)");
  if (info.type != H5L_TYPE_HARD)
    throw IOError(where + ": a soft or external link, which nabla does not follow");
  format::check_object_header(file_info(group, path), info.u.address, where);
}

void check_dataset(int64_t dataset, const std::string& path, const std::string& where) {
  auto fail = [&](const std::string& what) { throw IOError(where + ": " + what); };
  Id<H5Tclose> type(H5Dget_type(dataset));
  if (type.id < 0 || !standard_number(type.id))
    fail("is not a dataset of standard integers or IEEE floats");
  Id<H5Sclose> space(H5Dget_space(dataset));
  const H5S_class_t space_class = H5Sget_simple_extent_type(space.id);
  if (space_class != H5S_SIMPLE && space_class != H5S_SCALAR) fail("has no simple dataspace");
  const hssize_t points = H5Sget_simple_extent_npoints(space.id);
  const size_t element = H5Tget_size(type.id);
  if (points < 0 || static_cast<uint64_t>(points) > (uint64_t{1} << 62) / element)
    fail("has an impossible number of elements");
  const uint64_t bytes = static_cast<uint64_t>(points) * element;
  const format::FileInfo file = file_info(dataset, path);
  Id<H5Pclose> dcpl(H5Dget_create_plist(dataset));
  if (H5Pget_external_count(dcpl.id) != 0)
    fail("keeps its data in external files, which nabla does not read");
  const hsize_t stored = H5Dget_storage_size(dataset);
  switch (H5Pget_layout(dcpl.id)) {
    case H5D_CONTIGUOUS: {
      if (bytes == 0) return;
      const haddr_t offset = H5Dget_offset(dataset);
      if (offset == HADDR_UNDEF) fail("has no data stored (never written)");
      if (file.base > file.size || offset > file.size - file.base ||
          bytes > file.size - file.base - offset)
        fail("its data (" + std::to_string(bytes) + " bytes at " + std::to_string(offset) +
             ") lies outside the file of " + std::to_string(file.size) + " bytes (truncated?)");
      return;
    }
    case H5D_COMPACT:
      if (stored < bytes) fail("its compact data is shorter than its shape says");
      return;
    case H5D_CHUNKED: {
      bool deflate = false;
      const int filters = H5Pget_nfilters(dcpl.id);
      for (int i = 0; i < filters; ++i) {
        unsigned flags = 0, config = 0;
        size_t n = 0;
        const H5Z_filter_t f = H5Pget_filter2(dcpl.id, static_cast<unsigned>(i), &flags, &n,
                                              nullptr, 0, nullptr, &config);
        if (f == H5Z_FILTER_DEFLATE) {
          deflate = true;
        } else if (f != H5Z_FILTER_SHUFFLE && f != H5Z_FILTER_FLETCHER32) {
          fail("is compressed with HDF5 filter " + std::to_string(f) +
               ", which nabla does not read (deflate, shuffle and fletcher32 only)");
        }
      }
      if (filters < 0) fail("has an unreadable filter pipeline");
      if (stored > file.size) fail("claims more stored data than the file holds");
      if (bytes > (deflate ? stored * kMaxDeflateRatio : stored))
        fail("its chunks hold " + std::to_string(stored) + " bytes, too few for its " +
             std::to_string(bytes) + " bytes of data (truncated or damaged?)");
      return;
    }
    default:
      fail("has a storage layout nabla does not read (virtual?)");
  }
}

}  // namespace nabla::h5
