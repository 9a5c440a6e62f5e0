// DeviceMemory: what core needs of a device — memory and copies. The host's is core's own; the
// backend layer supplies the others, so core never sees a backend.
#pragma once

#include <cstddef>
#include <string>

#include "framework/core/device.h"

namespace nabla {

/// Memory of one device. Backends implement it (framework/backend/backend.h); the CPU's lives here.
class DeviceMemory {
 public:
  virtual ~DeviceMemory() = default;
  /// Allocates `bytes` (64-byte aligned); throws OutOfMemoryError naming `what` and the size.
  virtual void* allocate(size_t bytes, const std::string& what) = 0;
  virtual void deallocate(void* data, size_t bytes) = 0;
  /// Copies between host memory and this device, or within this device.
  virtual void copy_from_host(void* dst, const void* src, size_t bytes) = 0;
  virtual void copy_to_host(void* dst, const void* src, size_t bytes) = 0;
  virtual void copy_within(void* dst, const void* src, size_t bytes) = 0;
};

/// Host memory: 64-byte aligned, refusing sizes beyond the machine's physical memory with an
/// OutOfMemoryError (the kernel's overcommit would otherwise kill the process later).
DeviceMemory& host_memory();

/// The memory of `device`: host_memory() for the CPU, else the device's backend.
DeviceMemory& device_memory(Device device);

/// Installs the lookup of other devices' memory. The backend layer calls it when it loads, so
/// core depends on no backend.
void set_device_memory_resolver(DeviceMemory& (*resolver)(Device device));

/// Copies `bytes` between any two devices (host, CUDA), through each side's DeviceMemory.
void copy_bytes(void* dst, Device dst_device, const void* src, Device src_device, size_t bytes);

/// "1.5 GiB" for messages.
std::string human_bytes(double bytes);

}  // namespace nabla
