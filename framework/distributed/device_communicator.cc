#include "framework/distributed/device_communicator.h"

#include <map>
#include <mutex>

#include "framework/backend/backend.h"
#include "framework/core/errors.h"
#include "framework/distributed/distributed.h"

namespace nabla::distributed {
namespace {

struct Registry {
  std::mutex mutex;
  std::map<DeviceType, DeviceCommunicatorFactory> factories;
  std::map<std::pair<DeviceType, int>, std::unique_ptr<DeviceCommunicator>> made;
};

Registry& registry() {
  static Registry* r = new Registry();  // kept past exit: plugins' communicators may outlive it
  return *r;
}

}  // namespace

void register_device_communicator(DeviceType type, DeviceCommunicatorFactory factory) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  r.factories[type] = std::move(factory);
}

DeviceCommunicator* device_communicator(Device device, std::string* reason) {
  if (device.is_cpu()) {
    if (reason) *reason = "the CPU has no device communicator: MPI reduces host memory";
    return nullptr;
  }
  backend_for(device);  // loads the device's plugin, which registers its factory
  Registry& r = registry();
  DeviceCommunicatorFactory factory;
  {
    std::lock_guard<std::mutex> lock(r.mutex);
    const auto key = std::make_pair(device.type(), device.index());
    if (auto it = r.made.find(key); it != r.made.end()) return it->second.get();
    auto f = r.factories.find(device.type());
    if (f == r.factories.end()) {
      if (reason)
        *reason = "this build of the " + device.to_string() +
                  " backend has no NCCL (build with the NCCL library and nccl.h found)";
      return nullptr;
    }
    factory = f->second;
  }
  // Outside the lock: making one is a collective (agreeing on an id) and may take a while.
  std::unique_ptr<DeviceCommunicator> made = factory(world(), device);
  std::lock_guard<std::mutex> lock(r.mutex);
  auto& slot = r.made[std::make_pair(device.type(), device.index())];
  slot = std::move(made);
  return slot.get();
}

}  // namespace nabla::distributed
