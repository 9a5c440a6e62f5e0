#include "framework/io/hdf5.h"

#include <hdf5.h>

#include <cstdio>
#include <cstring>
#include <filesystem>

#include "framework/core/errors.h"
#include "framework/io/atomic_file.h"
#include "framework/io/hdf5_checks.h"

namespace nabla::h5 {
namespace {

enum Kind { kFile = 1, kGroup, kDataset, kAttribute, kSpace, kType, kPlist };

int fault_countdown = -1;  // datasets left before an injected failure (-1: none)

// HDF5 prints its own error stack to stderr by default; nabla reports errors itself.
void silence_hdf5() {
  static bool done = [] {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    return true;
  }();
  (void)done;
}

// The cause of the last HDF5 failure, from its error stack: the operating system's message when
// the failure came from a system call ("No space left on device"), else HDF5's innermost one.
std::string error_cause() {
  struct Causes {
    std::string system, innermost;
  } causes;
  H5Ewalk2(
      H5E_DEFAULT, H5E_WALK_DOWNWARD,
      [](unsigned, const H5E_error2_t* e, void* out) -> herr_t {
        auto& c = *static_cast<Causes*>(out);
        const std::string desc = e->desc ? e->desc : "";
        const size_t at = desc.find("errno = ");
        if (at != std::string::npos && c.system.empty())
          c.system = std::strerror(std::atoi(desc.c_str() + at + 8));
        if (!desc.empty()) c.innermost = desc;
        return 0;
      },
      &causes);
  H5Eclear2(H5E_DEFAULT);
  if (!causes.system.empty()) return causes.system;
  return causes.innermost.empty() ? "unknown HDF5 error" : causes.innermost;
}

Handle own(hid_t id, Kind kind) {
  return Handle(id, kind);
}

std::string join(const std::string& base, const std::string& name) {
  if (base == "/" || base.empty()) return "/" + name;
  return base + "/" + name;
}

hid_t fixed_string_type(size_t size) {
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, std::max<size_t>(size, 1));
  H5Tset_strpad(t, H5T_STR_NULLPAD);
  return t;
}

}  // namespace

Handle::~Handle() {
  if (id_ < 0) return;
  switch (kind_) {
    case kFile:
      H5Fclose(id_);
      break;
    case kGroup:
      H5Gclose(id_);
      break;
    case kDataset:
      H5Dclose(id_);
      break;
    case kAttribute:
      H5Aclose(id_);
      break;
    case kSpace:
      H5Sclose(id_);
      break;
    case kType:
      H5Tclose(id_);
      break;
    case kPlist:
      H5Pclose(id_);
      break;
  }
}

Handle& Handle::operator=(Handle&& o) noexcept {
  if (this != &o) {
    Handle tmp(std::move(*this));
    id_ = o.id_, kind_ = o.kind_;
    o.id_ = -1;
  }
  return *this;
}

std::string Group::child_path(const std::string& name) const {
  return join(path_, name);
}

void Group::fail(const std::string& what, const std::string& name) const {
  throw IOError("HDF5 file '" + file_ + "', path '" + child_path(name) + "': " + what);
}

bool Group::has(const std::string& name) const {
  // H5Lexists needs every intermediate link to exist, so walk the path.
  std::string prefix;
  size_t start = 0;
  while (start <= name.size()) {
    const size_t slash = name.find('/', start);
    prefix = name.substr(0, slash);
    if (H5Lexists(handle_.id(), prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    // Checked before anything opens it (and before the next step walks through it).
    check_link(handle_.id(), prefix, file_,
               "HDF5 file '" + file_ + "', path '" + child_path(prefix) + "'");
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return true;
}

bool Group::has_attribute(const std::string& name) const {
  for (const format::Attribute& a : attributes_of(handle_.id(), file_, where()))
    if (a.name == name) return true;
  return false;
}

std::vector<std::string> Group::attribute_names() const {
  std::vector<std::string> names;
  for (const format::Attribute& a : attributes_of(handle_.id(), file_, where()))
    names.push_back(a.name);
  return names;
}

std::string Group::where() const {
  return "HDF5 file '" + file_ + "', path '" + path_ + "'";
}

Group Group::group(const std::string& name) const {
  if (!has(name)) fail("group not found", name);
  hid_t g = H5Gopen2(handle_.id(), name.c_str(), H5P_DEFAULT);
  if (g < 0) fail("is not a group", name);
  return Group(own(g, kGroup), file_, child_path(name));
}

Group Group::create_group(const std::string& name) {
  if (has(name)) return group(name);
  Handle lcpl = own(H5Pcreate(H5P_LINK_CREATE), kPlist);
  H5Pset_create_intermediate_group(lcpl.id(), 1);
  hid_t g = H5Gcreate2(handle_.id(), name.c_str(), lcpl.id(), H5P_DEFAULT, H5P_DEFAULT);
  if (g < 0) fail("cannot create group", name);
  return Group(own(g, kGroup), file_, child_path(name));
}

std::vector<std::string> Group::children() const {
  std::vector<std::string> names;
  H5Literate(
      handle_.id(), H5_INDEX_NAME, H5_ITER_INC, nullptr,
      [](hid_t, const char* name, const H5L_info_t*, void* out) -> herr_t {
        static_cast<std::vector<std::string>*>(out)->push_back(name);
        return 0;
      },
      &names);
  return names;
}

void Group::write(const std::string& name, const Tensor& value) {
  if (fault_countdown == 0) fail("injected failure (test)", name);
  if (fault_countdown > 0) --fault_countdown;
  Tensor host = value.to(Device::CPU);
  if (host.dtype() != DType::Float32)
    host = Tensor::from_vector(host.to_vector<float>(), host.shape());
  std::vector<hsize_t> dims(host.shape().begin(), host.shape().end());
  Handle space = own(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), kSpace);
  Handle lcpl = own(H5Pcreate(H5P_LINK_CREATE), kPlist);
  H5Pset_create_intermediate_group(lcpl.id(), 1);
  Handle ds = own(H5Dcreate2(handle_.id(), name.c_str(), H5T_IEEE_F32LE, space.id(), lcpl.id(),
                             H5P_DEFAULT, H5P_DEFAULT),
                  kDataset);
  if (!ds.valid()) fail("cannot create dataset", name);
  if (H5Dwrite(ds.id(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, host.raw_data()) < 0)
    fail("cannot write dataset", name);
}

Shape Group::dataset_shape(const std::string& name) const {
  if (!has(name)) fail("dataset not found", name);
  Handle ds = own(H5Dopen2(handle_.id(), name.c_str(), H5P_DEFAULT), kDataset);
  if (!ds.valid()) fail("is not a dataset", name);
  Handle space = own(H5Dget_space(ds.id()), kSpace);
  const int rank = H5Sget_simple_extent_ndims(space.id());
  if (rank < 0 || rank > Shape::kMaxRank) fail("has an unsupported rank", name);
  std::vector<hsize_t> dims(static_cast<size_t>(rank));
  H5Sget_simple_extent_dims(space.id(), dims.data(), nullptr);
  Shape s;
  uint64_t elements = 1;
  for (hsize_t d : dims) {
    // Shapes count in int64; a product past 2^62 elements is no real dataset.
    if (d != 0 && elements > (uint64_t{1} << 62) / d)
      fail("has an impossible shape (more than 2^62 elements)", name);
    elements *= d;
    s.push_back(static_cast<int64_t>(d));
  }
  return s;
}

Tensor Group::read(const std::string& name) const {
  const Shape shape = dataset_shape(name);
  Handle ds = own(H5Dopen2(handle_.id(), name.c_str(), H5P_DEFAULT), kDataset);
  check_dataset(ds.id(), file_, "HDF5 file '" + file_ + "', dataset '" + child_path(name) + "'");
  Tensor out = Tensor::empty(shape, DType::Float32);
  if (shape.numel() > 0 &&
      H5Dread(ds.id(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.raw_data()) < 0)
    fail("cannot be read (truncated file?)", name);
  return out;
}

int64_t Group::read_int(const std::string& name) const {
  if (dataset_shape(name).numel() != 1) fail("is not a single integer", name);
  Handle ds = own(H5Dopen2(handle_.id(), name.c_str(), H5P_DEFAULT), kDataset);
  check_dataset(ds.id(), file_, "HDF5 file '" + file_ + "', dataset '" + child_path(name) + "'");
  Handle type = own(H5Dget_type(ds.id()), kType);
  int64_t v = 0;
  if (H5Tget_class(type.id()) != H5T_INTEGER ||
      H5Dread(ds.id(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, &v) < 0)
    fail("cannot be read as an integer", name);
  return v;
}

void Group::write_int(const std::string& name, int64_t value) {
  if (fault_countdown == 0) fail("injected failure (test)", name);
  if (fault_countdown > 0) --fault_countdown;
  Handle space = own(H5Screate(H5S_SCALAR), kSpace);
  Handle lcpl = own(H5Pcreate(H5P_LINK_CREATE), kPlist);
  H5Pset_create_intermediate_group(lcpl.id(), 1);
  Handle ds = own(H5Dcreate2(handle_.id(), name.c_str(), H5T_STD_I64LE, space.id(), lcpl.id(),
                             H5P_DEFAULT, H5P_DEFAULT),
                  kDataset);
  if (!ds.valid() || H5Dwrite(ds.id(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, &value) < 0)
    fail("cannot write dataset", name);
}

void Group::set_string(const std::string& name, const std::string& value) {
  Handle type = own(H5Tcopy(H5T_C_S1), kType);
  H5Tset_size(type.id(), H5T_VARIABLE);
  H5Tset_cset(type.id(), H5T_CSET_UTF8);
  Handle space = own(H5Screate(H5S_SCALAR), kSpace);
  if (H5Aexists(handle_.id(), name.c_str()) > 0) H5Adelete(handle_.id(), name.c_str());
  Handle attr =
      own(H5Acreate2(handle_.id(), name.c_str(), type.id(), space.id(), H5P_DEFAULT, H5P_DEFAULT),
          kAttribute);
  const char* data = value.c_str();
  if (!attr.valid() || H5Awrite(attr.id(), type.id(), &data) < 0)
    fail("cannot write attribute", "@" + name);
}

void Group::set_string_list(const std::string& name, const std::vector<std::string>& values) {
  size_t width = 1;
  for (const auto& v : values) width = std::max(width, v.size());
  std::vector<char> buffer(width * values.size(), '\0');
  for (size_t i = 0; i < values.size(); ++i)
    std::memcpy(buffer.data() + i * width, values[i].data(), values[i].size());
  Handle type = own(fixed_string_type(width), kType);
  const hsize_t n = values.size();
  Handle space = own(H5Screate_simple(1, &n, nullptr), kSpace);
  if (H5Aexists(handle_.id(), name.c_str()) > 0) H5Adelete(handle_.id(), name.c_str());
  Handle attr =
      own(H5Acreate2(handle_.id(), name.c_str(), type.id(), space.id(), H5P_DEFAULT, H5P_DEFAULT),
          kAttribute);
  if (!attr.valid() || (n && H5Awrite(attr.id(), type.id(), buffer.data()) < 0))
    fail("cannot write attribute", "@" + name);
}

std::vector<std::string> Group::get_string_list(const std::string& name) const {
  for (const format::Attribute& a : attributes_of(handle_.id(), file_, where())) {
    if (a.name != name) continue;
    // Keras writes an empty float array for layers without weights.
    if (a.kind == format::Attribute::Kind::Other && a.count == 0) return {};
    if (a.kind == format::Attribute::Kind::Other) fail("is not a string attribute", "@" + name);
    return format::read_strings(file_info(handle_.id(), file_), a, where());
  }
  fail("attribute not found", "@" + name);
}

std::string Group::get_string(const std::string& name) const {
  const std::vector<std::string> values = get_string_list(name);
  if (values.size() != 1) fail("is not a single string", "@" + name);
  return values[0];
}

Group open_file(const std::string& path) {
  silence_hdf5();
  if (!std::filesystem::exists(path)) throw IOError("file '" + path + "' does not exist");
  if (H5Fis_hdf5(path.c_str()) <= 0)
    throw IOError("file '" + path + "' is not an HDF5 file (or it is truncated or damaged)");
  // The root group's object header is loaded by H5Fopen itself: checked first.
  uint64_t root_object = 0;
  const format::FileInfo info = format::read_superblock(path, &root_object);
  format::check_object_header(info, root_object, "HDF5 file '" + path + "', path '/'");
  hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) throw IOError("cannot open HDF5 file '" + path + "' (truncated or damaged?)");
  Handle file = own(f, kFile);
  hid_t root = H5Gopen2(f, "/", H5P_DEFAULT);
  if (root < 0) throw IOError("HDF5 file '" + path + "' has no readable root group (damaged?)");
  return Group(own(root, kGroup), path, "/");
}

Group root_group(int64_t file_id, const std::string& name) {
  const hid_t root = H5Gopen2(file_id, "/", H5P_DEFAULT);
  if (root < 0) throw IOError("HDF5 file '" + name + "' has no readable root group (damaged?)");
  return Group(own(root, kGroup), name, "/");
}

void write_atomically(const std::string& path, const std::function<void(Group& root)>& write) {
  // An injected failure (tests) applies to this save only, whether it fails or not.
  struct ResetFault {
    ~ResetFault() { fault_countdown = -1; }
  } reset;
  write_file_atomically(path, [&](const std::string& temp) {
    silence_hdf5();
    // With a strong close degree, closing the file closes everything still open in it, and its
    // return value reports the final flush: HDF5 caches metadata, so a full disk often shows
    // only there. A failed close is a failed save, never a rename of a broken file.
    Handle fapl = own(H5Pcreate(H5P_FILE_ACCESS), kPlist);
    H5Pset_fclose_degree(fapl.id(), H5F_CLOSE_STRONG);
    const hid_t file = H5Fcreate(temp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.id());
    if (file < 0) throw IOError("cannot create HDF5 file for '" + path + "': " + error_cause());
    try {
      Group root(own(H5Gopen2(file, "/", H5P_DEFAULT), kGroup), path, "/");
      write(root);
    } catch (...) {
      H5Fclose(file);
      H5Eclear2(H5E_DEFAULT);
      throw;
    }
    const bool flushed = H5Fflush(file, H5F_SCOPE_GLOBAL) >= 0;
    const bool closed = H5Fclose(file) >= 0;
    if (!flushed || !closed)
      throw IOError("cannot write HDF5 file '" + path + "': " + error_cause());
  });
}

namespace testing {
void fail_after_datasets(int datasets) {
  fault_countdown = datasets;
}
int64_t open_objects() {
  return H5Fget_obj_count(static_cast<hid_t>(H5F_OBJ_ALL), H5F_OBJ_ALL);
}
}  // namespace testing

}  // namespace nabla::h5
