// Variable-length strings: global heap collections, each indexed once, and the heap IDs of an
// attribute's strings checked against them (libhdf5 1.10's H5HG_read trusts the index).
#include <cstring>
#include <map>

#include "framework/io/hdf5_bytes.h"
#include "framework/io/hdf5_format.h"

namespace nabla::h5::format {
namespace {

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
