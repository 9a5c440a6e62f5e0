// A block of device memory owned by tensors, variables and plans.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "framework/core/device.h"
#include "framework/core/device_memory.h"

namespace nabla {

/// Contiguous memory on one device, freed when the last owner lets go. Tensors share Storage,
/// so copying a Tensor never copies its data.
class Storage {
 public:
  /// Allocates `bytes` on `device` (64-byte aligned). `what` names the tensor for the
  /// OutOfMemoryError thrown when the memory is not there.
  static std::shared_ptr<Storage> allocate(Device device, size_t bytes, const std::string& what);
  /// Wraps memory owned elsewhere (e.g. a session's arena); never frees it.
  static std::shared_ptr<Storage> borrow(Device device, void* data, size_t bytes);
  /// `bytes` of `parent` from `offset` on, sharing its memory and keeping it alive.
  static std::shared_ptr<Storage> slice(const std::shared_ptr<Storage>& parent, size_t offset,
                                        size_t bytes);

  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void* data() const { return data_; }
  size_t bytes() const { return bytes_; }
  Device device() const { return device_; }

 private:
  Storage(Device device, void* data, size_t bytes, bool owned)
      : device_(device), data_(data), bytes_(bytes), owned_(owned) {}
  Device device_;
  void* data_;
  size_t bytes_;
  bool owned_;
  std::shared_ptr<Storage> parent_;  // for slices
};

}  // namespace nabla
