#include "framework/core/storage.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "framework/core/errors.h"

namespace nabla {
namespace {

class HostMemory : public DeviceMemory {
 public:
  void* allocate(size_t bytes, const std::string& what) override {
    constexpr size_t kAlign = 64;
    static const double physical =
        static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGESIZE));
    if (static_cast<double>(bytes) > physical)
      throw OutOfMemoryError("out of memory: " + what + " needs " + human_bytes(bytes) +
                             " but this machine has " + human_bytes(physical) + " of memory");
    const size_t rounded = (std::max<size_t>(bytes, 1) + kAlign - 1) / kAlign * kAlign;
    void* p = std::aligned_alloc(kAlign, rounded);
    if (!p)
      throw OutOfMemoryError("out of memory: could not allocate " + human_bytes(bytes) + " for " +
                             what + " on cpu");
    return p;
  }
  void deallocate(void* data, size_t) override { std::free(data); }
  void copy_from_host(void* dst, const void* src, size_t bytes) override {
    std::memcpy(dst, src, bytes);
  }
  void copy_to_host(void* dst, const void* src, size_t bytes) override {
    std::memcpy(dst, src, bytes);
  }
  void copy_within(void* dst, const void* src, size_t bytes) override {
    if (dst != src) std::memmove(dst, src, bytes);
  }
};

DeviceMemory& (*device_resolver)(Device) = nullptr;

}  // namespace

std::string human_bytes(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  int u = 0;
  while (bytes >= 1024 && u < 6) bytes /= 1024, ++u;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1f %s", bytes, units[u]);
  return buf;
}

DeviceMemory& host_memory() {
  static HostMemory memory;
  return memory;
}

void set_device_memory_resolver(DeviceMemory& (*resolver)(Device device)) {
  device_resolver = resolver;
}

DeviceMemory& device_memory(Device device) {
  if (device.is_cpu()) return host_memory();
  if (!device_resolver)
    throw StateError("device " + device.to_string() + " has no memory: no backend is loaded");
  return device_resolver(device);
}

std::shared_ptr<Storage> Storage::allocate(Device device, size_t bytes, const std::string& what) {
  void* data = device_memory(device).allocate(bytes, what);
  return std::shared_ptr<Storage>(new Storage(device, data, bytes, true));
}

std::shared_ptr<Storage> Storage::borrow(Device device, void* data, size_t bytes) {
  return std::shared_ptr<Storage>(new Storage(device, data, bytes, false));
}

std::shared_ptr<Storage> Storage::slice(const std::shared_ptr<Storage>& parent, size_t offset,
                                        size_t bytes) {
  if (offset + bytes > parent->bytes_)
    throw ValueError("Storage::slice: [" + std::to_string(offset) + ", " +
                     std::to_string(offset + bytes) + ") is outside a buffer of " +
                     std::to_string(parent->bytes_) + " bytes");
  auto s = std::shared_ptr<Storage>(
      new Storage(parent->device_, static_cast<char*>(parent->data_) + offset, bytes, false));
  s->parent_ = parent;
  return s;
}

Storage::~Storage() {
  if (owned_ && data_) device_memory(device_).deallocate(data_, bytes_);
}

void copy_bytes(void* dst, Device dst_device, const void* src, Device src_device, size_t bytes) {
  if (bytes == 0) return;
  if (dst_device.is_cpu() && src_device.is_cpu()) {
    host_memory().copy_within(dst, src, bytes);
  } else if (src_device.is_cpu()) {
    device_memory(dst_device).copy_from_host(dst, src, bytes);
  } else if (dst_device.is_cpu()) {
    device_memory(src_device).copy_to_host(dst, src, bytes);
  } else if (src_device == dst_device) {
    device_memory(src_device).copy_within(dst, src, bytes);
  } else {
    std::vector<char> staging(bytes);  // between two GPUs: through the host
    device_memory(src_device).copy_to_host(staging.data(), src, bytes);
    device_memory(dst_device).copy_from_host(dst, staging.data(), bytes);
  }
}

}  // namespace nabla
