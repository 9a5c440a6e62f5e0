// The superblock, object headers (versions 1 and 2) and attribute messages (versions 1 to 3),
// decoded from the file's bytes as the HDF5 File Format Specification lays them out. Every read
// goes through ByteSource or Cursor (hdf5_bytes.h), which check bounds; loops are bounded by the
// bytes they consume and by explicit caps.
#include <cstring>
#include <fstream>
#include <set>

#include "framework/io/hdf5_bytes.h"
#include "framework/io/hdf5_format.h"

namespace nabla::h5::format {
namespace {

constexpr uint16_t kMsgAttribute = 0x000C;
constexpr uint16_t kMsgContinuation = 0x0010;
constexpr uint16_t kMsgSymbolTable = 0x0011;
constexpr uint16_t kMsgAttributeInfo = 0x0015;
constexpr int kMaxChunks = 1024;               // continuation blocks of one object header
constexpr uint64_t kMaxChunkBytes = 64 << 20;  // one object header block

// One header message: its type, flags and data.
struct Message {
  uint16_t type;
  uint8_t flags;
  std::vector<uint8_t> data;
};

// Every message of the object header at `object`, continuation blocks followed (each once).
std::vector<Message> header_messages(ByteSource& src, const FileInfo& file, uint64_t object,
                                     const std::string& where) {
  std::vector<uint8_t> prefix = src.read(object, 16, "the object header");
  const bool v2 = std::memcmp(prefix.data(), "OHDR", 4) == 0;
  uint8_t v2_flags = 0;
  std::vector<std::pair<uint64_t, uint64_t>> pending;  // (address, length) of blocks to read
  std::set<uint64_t> seen{object};
  std::vector<Message> out;
  auto parse_block = [&](const std::vector<uint8_t>& bytes, size_t begin, size_t end) {
    Cursor c(bytes.data() + begin, end - begin, where, "an object header message");
    const size_t header = v2 ? 4 + ((v2_flags & 0x04) ? 2 : 0) : 8;
    while (c.left() >= header) {
      Message m;
      m.type = static_cast<uint16_t>(v2 ? c.uint(1) : c.uint(2));
      const uint64_t size = c.uint(2);
      m.flags = static_cast<uint8_t>(c.uint(1));
      c.skip(header - (v2 ? 4 : 5));
      c.need(size);
      m.data.assign(c.here(), c.here() + size);
      c.skip(size);
      if (m.type == kMsgContinuation) {
        Cursor d(m.data.data(), m.data.size(), where, "a continuation message");
        const uint64_t address = d.uint(file.offset_size);
        const uint64_t length = d.uint(file.length_size);
        if (!seen.insert(address).second) fail(where, "the object header's blocks form a cycle");
        pending.emplace_back(address, length);
      } else {
        out.push_back(std::move(m));
      }
      if (out.size() > 65536) fail(where, "the object header has too many messages");
    }
  };
  if (v2) {
    if (prefix[4] != 2) fail(where, "unknown object header version " + std::to_string(prefix[4]));
    v2_flags = prefix[5];
    const size_t size_bytes = size_t{1} << (v2_flags & 0x03);
    const size_t fields = 6 + ((v2_flags & 0x20) ? 16 : 0) + ((v2_flags & 0x10) ? 4 : 0);
    std::vector<uint8_t> head = src.read(object, fields + size_bytes, "the object header");
    Cursor c(head.data() + fields, size_bytes, where, "the object header");
    const uint64_t size = c.uint(static_cast<int>(size_bytes));
    if (size > kMaxChunkBytes) fail(where, "the object header is implausibly large");
    const std::vector<uint8_t> chunk =
        src.read(object + fields + size_bytes, size, "the object header's messages");
    parse_block(chunk, 0, chunk.size());
  } else {
    if (prefix[0] != 1) fail(where, "unknown object header version " + std::to_string(prefix[0]));
    const uint64_t size = Cursor(prefix.data() + 8, 4, where, "the object header").uint(4);
    if (size > kMaxChunkBytes) fail(where, "the object header is implausibly large");
    const std::vector<uint8_t> chunk = src.read(object + 16, size, "the object header's messages");
    parse_block(chunk, 0, chunk.size());
  }
  // The blocks of one header never overlap, so together they are no larger than the file.
  uint64_t total = 0;
  for (size_t i = 0; i < pending.size(); ++i) {
    if (i >= kMaxChunks) fail(where, "the object header has too many continuation blocks");
    const auto [address, length] = pending[i];
    total += length;
    if (length > kMaxChunkBytes || total > file.size)
      fail(where, "the object header's blocks are larger than the file");
    const std::vector<uint8_t> block = src.read(address, length, "an object header block");
    if (v2) {
      if (length < 8 || std::memcmp(block.data(), "OCHK", 4) != 0)
        fail(where, "an object header continuation block has no OCHK signature");
      parse_block(block, 4, block.size() - 4);  // signature ... checksum
    } else {
      parse_block(block, 0, block.size());
    }
  }
  return out;
}

// The datatype of an attribute: kind, bytes per element on disk, padding of fixed strings.
void decode_type(Cursor c, const FileInfo& file, Attribute& a) {
  const uint64_t class_version = c.uint(1);
  const uint64_t bits = c.uint(3);
  const uint64_t size = c.uint(4);
  const uint64_t cls = class_version & 0x0F;
  a.element_size = size;
  if (cls == 3) {  // fixed-length string
    a.kind = Attribute::Kind::FixedString;
    a.space_padded = (bits & 0x0F) == 2;
  } else if (cls == 9 && (bits & 0x0F) == 1) {  // variable-length string
    a.kind = Attribute::Kind::VariableString;
    // On disk: a 4-byte length, then a global heap ID (collection address, 4-byte index).
    a.element_size = 4 + static_cast<uint64_t>(file.offset_size) + 4;
  }
}

// The number of elements a dataspace message describes.
uint64_t decode_count(Cursor c, const FileInfo& file, const std::string& where) {
  const uint64_t version = c.uint(1);
  const uint64_t rank = c.uint(1);
  c.uint(1);  // flags
  if (version == 1) {
    c.skip(5);
  } else if (version == 2) {
    if (c.uint(1) == 2) return 0;  // null dataspace
  } else {
    fail(where, "unknown dataspace version " + std::to_string(version));
  }
  if (rank > 32) fail(where, "a dataspace of rank " + std::to_string(rank));
  uint64_t count = 1;
  for (uint64_t i = 0; i < rank; ++i) {
    const uint64_t d = c.uint(file.length_size);
    if (d != 0 && count > kMaxAttributeElements / d)
      fail(where, "an attribute has too many elements");
    count *= d;
  }
  if (count > kMaxAttributeElements) fail(where, "an attribute has too many elements");
  return count;
}

Attribute decode_attribute(const Message& m, const FileInfo& file, const std::string& where) {
  if (m.flags & 0x02) fail(where, "a shared attribute message, which nabla does not read");
  Cursor c(m.data.data(), m.data.size(), where, "an attribute message");
  const uint64_t version = c.uint(1);
  const uint64_t flags = c.uint(1);
  const uint64_t name_size = c.uint(2), type_size = c.uint(2), space_size = c.uint(2);
  if (version < 1 || version > 3)
    fail(where, "unknown attribute message version " + std::to_string(version));
  if (flags & 0x03) fail(where, "an attribute with a shared datatype, which nabla does not read");
  if (version == 3) c.uint(1);  // name encoding
  auto padded = [&](uint64_t n) { return version == 1 ? round8(n) : n; };
  Attribute a;
  c.need(name_size);
  a.name.assign(reinterpret_cast<const char*>(c.here()),
                strnlen(reinterpret_cast<const char*>(c.here()), name_size));
  c.skip(padded(name_size));
  c.need(type_size);
  decode_type(Cursor(c.here(), type_size, where, "an attribute's datatype"), file, a);
  c.skip(padded(type_size));
  const std::string at = where + ", attribute '" + a.name + "'";
  // HDF5 has no datatype of 0 bytes; elements of none would have no data to point at.
  if (a.element_size == 0) fail(at, "a datatype of 0 bytes");
  c.need(space_size);
  a.count = decode_count(Cursor(c.here(), space_size, at, "an attribute's dataspace"), file, at);
  c.skip(padded(space_size));
  if (a.element_size != 0 && a.count > c.left() / a.element_size)
    fail(at, "its data is shorter than its type and dataspace say");
  a.raw.assign(c.here(), c.here() + a.count * a.element_size);
  return a;
}

}  // namespace

namespace {

// The superblock of a file of `size` bytes whose bytes `read(at, n, out)` copies.
template <class Read>
FileInfo superblock_of(FileInfo file, const std::string& where, Read read, uint64_t* root_object) {
  // The superblock is at 0 or, after a user block, at 512, 1024, 2048, ...
  for (uint64_t at = 0; at + 48 <= file.size; at = at ? at * 2 : 512) {
    uint8_t head[96] = {};
    read(at, std::min<uint64_t>(96, file.size - at), head);
    if (std::memcmp(head, "\x89HDF\r\n\x1a\n", 8) != 0) continue;
    const int version = head[8];
    const bool old = version < 2;
    if (version > 3) fail(where, "unknown superblock version " + std::to_string(version));
    file.offset_size = old ? head[13] : head[9];
    file.length_size = old ? head[14] : head[10];
    for (int width : {file.offset_size, file.length_size})
      if (width != 2 && width != 4 && width != 8)
        fail(where, "a superblock with " + std::to_string(width) + "-byte addresses or lengths");
    // Version 0/1: base, free space, end of file, driver info, then the root group's symbol
    // table entry (link name offset, object header address). Version 2/3: base, extension, end
    // of file, root group object header address.
    const size_t fields = old ? (version == 0 ? 24 : 28) : 12;
    const size_t root_at = fields + (old ? 5 : 3) * static_cast<size_t>(file.offset_size);
    Cursor c(head + fields, sizeof head - fields, where, "the superblock");
    file.base = c.uint(file.offset_size);
    Cursor r(head + root_at, sizeof head - root_at, where, "the superblock");
    *root_object = r.uint(file.offset_size);
    if (file.base > file.size) fail(where, "the superblock's base address lies outside the file");
    return file;
  }
  fail(where, "no HDF5 superblock");
}

}  // namespace

FileInfo read_superblock(const std::string& path, uint64_t* root_object) {
  const std::string where = "HDF5 file '" + path + "'";
  FileInfo file;
  file.path = path;
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) fail(where, "cannot open the file to read it");
  file.size = static_cast<uint64_t>(in.tellg());
  auto read = [&](uint64_t at, uint64_t n, uint8_t* out) {
    in.seekg(static_cast<std::streamoff>(at));
    in.read(reinterpret_cast<char*>(out), static_cast<std::streamsize>(n));
  };
  return superblock_of(std::move(file), where, read, root_object);
}

FileInfo read_superblock(std::shared_ptr<const std::string> image, const std::string& name,
                         uint64_t* root_object) {
  FileInfo file;
  file.path = name;
  file.size = image->size();
  file.image = std::move(image);
  const std::string& bytes = *file.image;
  auto read = [&](uint64_t at, uint64_t n, uint8_t* out) {
    std::memcpy(out, bytes.data() + at, n);
  };
  return superblock_of(std::move(file), "HDF5 file '" + name + "'", read, root_object);
}

void check_object_header(const FileInfo& file, uint64_t object, const std::string& where) {
  ByteSource src(file, where);
  for (const Message& m : header_messages(src, file, object, where)) {
    if (m.type != kMsgSymbolTable) continue;
    Cursor c(m.data.data(), m.data.size(), where, "a symbol table message");
    const uint64_t btree = c.uint(file.offset_size);
    const uint64_t heap = c.uint(file.offset_size);
    if (std::memcmp(src.read(btree, 4, "a group's B-tree").data(), "TREE", 4) != 0)
      fail(where, "a group's B-tree has no TREE signature");
    const std::vector<uint8_t> h =
        src.read(heap, 8 + 2 * static_cast<uint64_t>(file.length_size) + file.offset_size,
                 "a group's local heap");
    if (std::memcmp(h.data(), "HEAP", 4) != 0)
      fail(where, "a group's local heap has no HEAP signature");
    Cursor hc(h.data() + 8, h.size() - 8, where, "a local heap");
    const uint64_t size = hc.uint(file.length_size);
    hc.uint(file.length_size);  // free list
    src.check(hc.uint(file.offset_size), size, "a group's local heap data");
  }
}

std::vector<Attribute> read_attributes(const FileInfo& file, uint64_t object,
                                       const std::string& where) {
  ByteSource src(file, where);
  std::vector<Attribute> out;
  for (const Message& m : header_messages(src, file, object, where)) {
    if (m.type == kMsgAttribute) {
      out.push_back(decode_attribute(m, file, where));
    } else if (m.type == kMsgAttributeInfo) {
      Cursor c(m.data.data(), m.data.size(), where, "an attribute info message");
      c.uint(1);  // version
      const uint64_t flags = c.uint(1);
      if (flags & 0x01) c.uint(2);  // maximum creation index
      if (!undefined(c.uint(file.offset_size), file.offset_size))
        fail(where, "attributes in dense storage (a fractal heap), which nabla does not read");
    }
  }
  return out;
}

}  // namespace nabla::h5::format
