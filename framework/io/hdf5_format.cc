// Object headers (versions 1 and 2), attribute messages (versions 1 to 3) and global heap
// collections, decoded from the file's bytes as the HDF5 File Format Specification lays them
// out. Every read goes through ByteSource::read or Cursor, which check bounds; loops are bounded
// by the bytes they consume and by explicit caps.
#include "framework/io/hdf5_format.h"

#include <cstring>
#include <fstream>
#include <map>
#include <set>

#include "framework/core/errors.h"

namespace nabla::h5::format {
namespace {

constexpr uint16_t kMsgAttribute = 0x000C;
constexpr uint16_t kMsgContinuation = 0x0010;
constexpr uint16_t kMsgSymbolTable = 0x0011;
constexpr uint16_t kMsgAttributeInfo = 0x0015;
constexpr int kMaxChunks = 1024;               // continuation blocks of one object header
constexpr uint64_t kMaxChunkBytes = 64 << 20;  // one object header block

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw IOError(where + ": " + what + " (damaged or not written by HDF5?)");
}

bool undefined(uint64_t address, int offset_size) {
  return offset_size == 8 ? address == ~uint64_t{0}
                          : address == (uint64_t{1} << (8 * offset_size)) - 1;
}

// Reads byte ranges of the file, each checked to lie inside it.
class ByteSource {
 public:
  ByteSource(const FileInfo& file, const std::string& where)
      : file_(file), where_(where), in_(file.path, std::ios::binary) {
    if (!in_) fail(where, "cannot open the file to read it");
  }
  /// Fails unless `bytes` at `address` lie inside the file.
  void check(uint64_t address, uint64_t bytes, const char* what) const {
    const uint64_t size = file_.size;
    if (undefined(address, file_.offset_size) || file_.base > size || address > size - file_.base ||
        bytes > size - file_.base - address)
      fail(where_, std::string(what) + " at address " + std::to_string(address) + " (" +
                       std::to_string(bytes) + " bytes) lies outside the file of " +
                       std::to_string(size) + " bytes");
  }
  std::vector<uint8_t> read(uint64_t address, uint64_t bytes, const char* what) {
    check(address, bytes, what);
    std::vector<uint8_t> out(bytes);
    in_.seekg(static_cast<std::streamoff>(file_.base + address));
    if (!in_.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(bytes)))
      fail(where_, std::string("cannot read ") + what);
    return out;
  }

 private:
  const FileInfo& file_;
  const std::string& where_;
  std::ifstream in_;
};

// Little-endian fields of a byte buffer, each read checked against its end.
class Cursor {
 public:
  Cursor(const uint8_t* data, size_t size, const std::string& where, const char* what)
      : p_(data), end_(data + size), where_(where), what_(what) {}
  size_t left() const { return static_cast<size_t>(end_ - p_); }
  const uint8_t* here() const { return p_; }
  void need(size_t n) const {
    if (n > left()) fail(where_, std::string(what_) + " ends early");
  }
  uint64_t uint(int bytes) {
    need(static_cast<size_t>(bytes));
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | p_[i];
    p_ += bytes;
    return v;
  }
  void skip(uint64_t n) {
    need(n);
    p_ += n;
  }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
  const std::string& where_;
  const char* what_;
};

uint64_t round8(uint64_t n) {
  return (n + 7) / 8 * 8;
}

// One block of header messages: where it starts in the file and its bytes.
struct Chunk {
  std::vector<uint8_t> bytes;
  size_t begin = 0, end = 0;  // the messages' span within bytes
};

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
  c.need(space_size);
  a.count = decode_count(Cursor(c.here(), space_size, at, "an attribute's dataspace"), file, at);
  c.skip(padded(space_size));
  if (a.element_size != 0 && a.count > c.left() / a.element_size)
    fail(at, "its data is shorter than its type and dataspace say");
  a.raw.assign(c.here(), c.here() + a.count * a.element_size);
  return a;
}

// A global heap collection: its bytes and where each object's data lies in them, indexed once
// (so a list of strings costs one pass over each collection, not one per string).
struct Heap {
  std::vector<uint8_t> bytes;
  std::map<uint64_t, std::pair<size_t, uint64_t>> objects;  // index -> (offset, size)
};

const Heap& heap_at(ByteSource& src, const FileInfo& file, uint64_t address,
                    std::map<uint64_t, Heap>& cache, const std::string& where) {
  auto it = cache.find(address);
  if (it != cache.end()) return it->second;
  const uint64_t header = 8 + static_cast<uint64_t>(file.length_size);
  const std::vector<uint8_t> head = src.read(address, header, "a global heap collection");
  if (std::memcmp(head.data(), "GCOL", 4) != 0 || head[4] != 1)
    fail(where, "a string points to " + std::to_string(address) +
                    ", which is not a global heap collection");
  const uint64_t size =
      Cursor(head.data() + 8, head.size() - 8, where, "a global heap").uint(file.length_size);
  if (size < header) fail(where, "a global heap collection smaller than its header");
  Heap& heap = cache[address];
  heap.bytes = src.read(address, size, "a global heap collection");
  Cursor c(heap.bytes.data(), heap.bytes.size(), where, "a global heap collection");
  c.skip(header);
  while (c.left() >= header) {
    const uint64_t id = c.uint(2);
    if (id == 0) break;  // the free space, which ends the objects
    c.skip(6);           // reference count, reserved
    const uint64_t object_size = c.uint(file.length_size);
    c.need(object_size);
    heap.objects.emplace(
        id, std::make_pair(static_cast<size_t>(c.here() - heap.bytes.data()), object_size));
    c.skip(std::min<uint64_t>(round8(object_size), c.left()));
  }
  return heap;
}

}  // namespace

FileInfo read_superblock(const std::string& path, uint64_t* root_object) {
  const std::string where = "HDF5 file '" + path + "'";
  FileInfo file;
  file.path = path;
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) fail(where, "cannot open the file to read it");
  file.size = static_cast<uint64_t>(in.tellg());
  // The superblock is at 0 or, after a user block, at 512, 1024, 2048, ...
  for (uint64_t at = 0; at + 48 <= file.size; at = at ? at * 2 : 512) {
    uint8_t head[96] = {};
    in.seekg(static_cast<std::streamoff>(at));
    in.read(reinterpret_cast<char*>(head),
            static_cast<std::streamsize>(std::min<uint64_t>(96, file.size - at)));
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

std::vector<std::string> read_strings(const FileInfo& file, const Attribute& a,
                                      const std::string& where) {
  const std::string at = where + ", attribute '" + a.name + "'";
  std::vector<std::string> out;
  if (a.kind == Attribute::Kind::FixedString) {
    if (a.element_size > kMaxStringBytes) fail(at, "a string longer than nabla reads");
    for (uint64_t i = 0; i < a.count; ++i) {
      const char* s = reinterpret_cast<const char*>(a.raw.data() + i * a.element_size);
      std::string v(s, strnlen(s, a.element_size));
      if (a.space_padded) v.erase(v.find_last_not_of(' ') + 1);
      out.push_back(std::move(v));
    }
    return out;
  }
  if (a.kind != Attribute::Kind::VariableString) fail(at, "is not a string attribute");
  ByteSource src(file, at);
  std::map<uint64_t, Heap> heaps;
  uint64_t total = 0;
  for (uint64_t i = 0; i < a.count; ++i) {
    Cursor c(a.raw.data() + i * a.element_size, a.element_size, at, "a string's heap ID");
    const uint64_t length = c.uint(4);
    const uint64_t address = c.uint(file.offset_size);
    const uint64_t index = c.uint(4);
    if (length == 0 || undefined(address, file.offset_size)) {
      out.emplace_back();
      continue;
    }
    total += length;
    if (total > kMaxStringBytes) fail(at, "strings longer than nabla reads");
    const Heap& heap = heap_at(src, file, address, heaps, at);
    const auto object = heap.objects.find(index);
    if (object == heap.objects.end())
      fail(at, "a string refers to global heap object " + std::to_string(index) +
                   ", which its collection does not have");
    const auto [offset, size] = object->second;
    if (length > size) fail(at, "a string longer than its global heap object");
    out.emplace_back(reinterpret_cast<const char*>(heap.bytes.data() + offset), length);
  }
  return out;
}

}  // namespace nabla::h5::format
