// A bounded reader of the few parts of the HDF5 file format that nabla decodes itself rather than
// through libhdf5: the attribute messages of an object header and the global-heap objects that
// hold variable-length strings. libhdf5 1.10 trusts these structures (an out-of-range global
// heap index is only an assert in H5HG_read), so a damaged or hostile file could crash or hang
// it; here every offset, length and count is checked against the file before it is used, and a
// bad one is an IOError naming the file and the HDF5 path.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace nabla::h5::format {

/// Where an HDF5 file's addresses point: its path, size, base address and the widths of its
/// offsets and lengths (from the superblock, as libhdf5 reports them).
struct FileInfo {
  std::string path;
  uint64_t size = 0;    // bytes in the file
  uint64_t base = 0;    // absolute position of relative address 0 (after a user block)
  int offset_size = 8;  // bytes of an address
  int length_size = 8;  // bytes of a length
  /// The file's bytes when it is an in-memory image (a .keras archive's weights), else null and
  /// the bytes are read from `path`.
  std::shared_ptr<const std::string> image;
};

/// One attribute as stored in an object header: its name, element type and raw data.
struct Attribute {
  enum class Kind { FixedString, VariableString, Other };
  std::string name;
  Kind kind = Kind::Other;
  uint64_t count = 0;         // elements (1 for a scalar, 0 for a null dataspace)
  uint64_t element_size = 0;  // bytes per element in `raw`
  bool space_padded = false;  // fixed strings: padded with spaces rather than nulls
  std::vector<uint8_t> raw;   // count * element_size bytes
};

/// The attributes in the object header at relative address `object`, in storage order.
/// `where` names the object in messages ("HDF5 file 'f.h5', path '/model_weights'"). Throws
/// IOError on any structure that is out of bounds, cyclic or of an unsupported kind (shared
/// datatypes, dense attribute storage).
std::vector<Attribute> read_attributes(const FileInfo& file, uint64_t object,
                                       const std::string& where);

/// The strings of a FixedString or VariableString attribute; variable-length strings are read
/// from the global heap with every heap ID checked. IOError for other kinds or bad heap IDs.
std::vector<std::string> read_strings(const FileInfo& file, const Attribute& attribute,
                                      const std::string& where);

/// The superblock of the HDF5 file at `path`: the file's layout and, in `root_object`, the
/// address of its root group's object header. IOError when it has none or it is damaged.
FileInfo read_superblock(const std::string& path, uint64_t* root_object);
/// The same for an in-memory file image; `name` names it in messages.
FileInfo read_superblock(std::shared_ptr<const std::string> image, const std::string& name,
                         uint64_t* root_object);

/// Checks, before libhdf5 loads the object header at `object`, what libhdf5 would otherwise
/// allocate and read as the file declares it: every block of the header lies inside the file, no
/// block is listed twice (a cycle), and an old-style group's local heap and B-tree root lie inside
/// the file too. IOError naming `where` otherwise.
void check_object_header(const FileInfo& file, uint64_t object, const std::string& where);

/// Largest attribute string nabla reads (a model config of a very large model is a few MB).
constexpr uint64_t kMaxStringBytes = uint64_t{256} << 20;
/// Most elements in one attribute (Keras's layer and weight name lists are far shorter).
constexpr uint64_t kMaxAttributeElements = uint64_t{1} << 20;

}  // namespace nabla::h5::format
