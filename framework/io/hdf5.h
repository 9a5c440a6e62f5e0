// A small RAII layer over the HDF5 C library: files, groups, float datasets and the string
// attributes Keras files use. Every failure is an IOError naming the file and the HDF5 path.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "framework/core/tensor.h"

namespace nabla::h5 {

/// An open HDF5 object (file, group, ...); closes it when destroyed.
class Handle {
 public:
  Handle() = default;
  Handle(int64_t id, int kind) : id_(id), kind_(kind) {}
  ~Handle();
  Handle(Handle&& o) noexcept : id_(o.id_), kind_(o.kind_) { o.id_ = -1; }
  Handle& operator=(Handle&& o) noexcept;
  int64_t id() const { return id_; }
  bool valid() const { return id_ >= 0; }

 private:
  int64_t id_ = -1;
  int kind_ = 0;
};

/// A group (or the root of a file): datasets, subgroups and attributes by path.
class Group {
 public:
  Group(Handle handle, std::string file, std::string path)
      : handle_(std::move(handle)), file_(std::move(file)), path_(std::move(path)) {}

  const std::string& file() const { return file_; }
  /// The HDF5 path of this group, "/" for the root.
  const std::string& path() const { return path_; }
  /// `path_ + "/" + name` for messages.
  std::string child_path(const std::string& name) const;

  bool has(const std::string& name) const;
  bool has_attribute(const std::string& name) const;
  /// Names of this object's attributes.
  std::vector<std::string> attribute_names() const;
  /// Opens a subgroup (IOError naming file and path when absent).
  Group group(const std::string& name) const;
  /// Creates a subgroup (and missing intermediate groups).
  Group create_group(const std::string& name);
  /// Names of the direct children.
  std::vector<std::string> children() const;

  /// Writes a float32 dataset (intermediate groups are created).
  void write(const std::string& name, const Tensor& value);
  /// Reads a numeric dataset as float32 (IOError naming the path when absent or not numeric).
  Tensor read(const std::string& name) const;
  /// The shape of a dataset without reading it.
  Shape dataset_shape(const std::string& name) const;
  /// Reads an integer dataset (scalars such as an iteration count).
  int64_t read_int(const std::string& name) const;
  void write_int(const std::string& name, int64_t value);

  /// A scalar variable-length UTF-8 string attribute.
  void set_string(const std::string& name, const std::string& value);
  /// An array of fixed-length, null-padded byte strings (what every Keras and h5py reads).
  void set_string_list(const std::string& name, const std::vector<std::string>& values);
  /// A string attribute, fixed- or variable-length, scalar or one-element array.
  std::string get_string(const std::string& name) const;
  /// A string-array attribute, fixed- or variable-length (an empty numeric array reads as {}).
  /// Attributes are decoded by nabla's bounded reader (hdf5_format.h), not by libhdf5, so a
  /// damaged or hostile file gives an IOError rather than a crash.
  std::vector<std::string> get_string_list(const std::string& name) const;

 private:
  [[noreturn]] void fail(const std::string& what, const std::string& name) const;
  /// "HDF5 file 'f.h5', path '/g'" for messages.
  std::string where() const;
  Handle handle_;
  std::string file_;
  std::string path_;
};

/// Opens an existing HDF5 file read-only; IOError when missing, truncated or not HDF5.
Group open_file(const std::string& path);

/// The root group of the open HDF5 file `file_id` (an hid_t), called `name` in messages. The
/// group keeps the file open; the caller closes its own `file_id`. (hdf5_memory.h opens file
/// images through it.)
Group root_group(int64_t file_id, const std::string& name);

/// Writes an HDF5 file through `write(root)` with write_file_atomically() (framework/io/
/// atomic_file.h): a temporary file, flushed, closed with its errors checked and fsynced, then
/// renamed over `path`. On any error an existing file at `path` is untouched and the IOError
/// names `path` and the cause.
void write_atomically(const std::string& path, const std::function<void(Group& root)>& write);

namespace testing {
/// Makes the next atomic write fail after `datasets` datasets (fault injection for tests).
void fail_after_datasets(int datasets);
/// HDF5 objects (files, groups, datasets, attributes, ...) open in this process: 0 whenever no
/// Group is alive, so tests can check that no load leaves a handle behind.
int64_t open_objects();
}  // namespace testing

}  // namespace nabla::h5
