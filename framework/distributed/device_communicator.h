// Collectives on device memory (NCCL between GPUs), provided by a backend plugin.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "framework/core/device.h"
#include "framework/core/dtype.h"
#include "framework/distributed/communicator.h"

namespace nabla::distributed {

/// Collectives between the GPUs of a job, one GPU per rank, on a stream of their own. Work is
/// queued, never waited for on the host: each collective starts after everything queued so far on
/// the device's compute stream, and join() makes the compute stream wait for the collectives, so
/// the kernels queued in between (the rest of the backward pass) overlap the communication, and
/// a training step captured into a CUDA Graph captures its collectives too.
///
/// Made collectively: every rank calls device_communicator() for its device at the same point.
class DeviceCommunicator {
 public:
  virtual ~DeviceCommunicator() = default;
  /// This rank's device.
  virtual Device device() const = 0;
  /// "nccl 2.28.3", for messages.
  virtual std::string name() const = 0;

  /// Queues an in-place all-reduce of `count` elements of `dtype` at device address `data`.
  virtual void start_all_reduce(void* data, int64_t count, DType dtype, Reduce reduce) = 0;
  /// Queues a broadcast of `bytes` at device address `data` from rank `root`.
  virtual void start_broadcast(void* data, int64_t bytes, int root) = 0;
  /// Queues a device-to-device copy on the compute stream (for packing buckets).
  virtual void copy(void* dst, const void* src, size_t bytes) = 0;
  /// Makes the compute stream wait for every collective queued so far (the host does not wait).
  virtual void join() = 0;
  /// Waits on the host for every collective queued so far. A collective that fails or does not
  /// finish within NABLA_COLLECTIVE_TIMEOUT ends the job (Communicator::abort).
  virtual void synchronize() = 0;
};

/// Makes the device communicator of `device` for the job of `host` (whose collectives it may use
/// to agree on an id). Throws StateError when it cannot.
using DeviceCommunicatorFactory =
    std::function<std::unique_ptr<DeviceCommunicator>(Communicator& host, Device device)>;

/// Installs the factory for a device type (the CUDA plugin registers NCCL's when it loads).
void register_device_communicator(DeviceType type, DeviceCommunicatorFactory factory);

/// The device communicator of `device` for the job of world(), made on first use (collectively:
/// every rank must ask at the same point). nullptr for the CPU, and where no factory is
/// registered for the device's type (a build without NCCL); `reason` then says why, and callers
/// move the data through host memory and MPI instead. Loads the device's backend.
DeviceCommunicator* device_communicator(Device device, std::string* reason = nullptr);

}  // namespace nabla::distributed
