#include "framework/backend/backend.h"

#include <dlfcn.h>

#include <map>
#include <mutex>

#include "framework/core/errors.h"
#include "framework/core/storage.h"

namespace nabla {

Backend& cpu_backend();  // framework/cpu/cpu_backend.cc

namespace {

struct BackendTable {
  std::recursive_mutex mutex;
  std::map<DeviceType, std::function<Backend*(int)>> factories;
  std::map<std::pair<DeviceType, int>, Backend*> instances;
  bool cuda_plugin_tried = false;
  std::string cuda_plugin_error;
};

BackendTable& table() {
  static BackendTable t;
  return t;
}

// The CUDA backend is a plugin: loading it registers its factory. Only a program that asks for a
// CUDA device ever loads it, so the CPU path has no CUDA dependency at run time.
void load_cuda_plugin(BackendTable& t) {
  if (t.cuda_plugin_tried) return;
  t.cuda_plugin_tried = true;
  void* handle = nullptr;
  for (const char* name : {"libnabla_cuda.so", NABLA_CUDA_PLUGIN_PATH}) {
    if (!*name) continue;
    handle = dlopen(name, RTLD_NOW | RTLD_GLOBAL);
    if (handle) break;
    t.cuda_plugin_error = dlerror();
  }
  if (!handle) return;
  using InitFn = void (*)();
  auto init = reinterpret_cast<InitFn>(dlsym(handle, "nabla_cuda_plugin_init"));
  if (!init) {
    t.cuda_plugin_error = "libnabla_cuda.so has no nabla_cuda_plugin_init";
    return;
  }
  init();  // registers the backend through register_backend() (the mutex is recursive)
}

}  // namespace

KernelFn Backend::kernel(const std::string& op) const {
  auto it = kernels_.find(op);
  if (it == kernels_.end())
    throw UnimplementedError("op " + op + " has no kernel on " + device().to_string());
  return it->second;
}

bool Backend::has_kernel(const std::string& op) const {
  return kernels_.count(op) > 0;
}

std::vector<std::string> Backend::kernel_names() const {
  std::vector<std::string> out;
  for (const auto& [name, fn] : kernels_) out.push_back(name);
  return out;
}

void register_backend(DeviceType type, std::function<Backend*(int index)> factory) {
  BackendTable& t = table();
  std::lock_guard<std::recursive_mutex> lock(t.mutex);
  t.factories[type] = std::move(factory);
}

Backend& backend_for(Device device) {
  if (device.is_cpu()) return cpu_backend();
  BackendTable& t = table();
  std::lock_guard<std::recursive_mutex> lock(t.mutex);
  auto key = std::make_pair(device.type(), device.index());
  if (auto it = t.instances.find(key); it != t.instances.end()) return *it->second;
  if (!t.factories.count(device.type())) load_cuda_plugin(t);
  auto f = t.factories.find(device.type());
  if (f == t.factories.end()) {
    throw UnimplementedError(
        "device " + device.to_string() +
        " is not available: this build of nabla has no CUDA backend (libnabla_cuda.so could not be "
        "loaded" +
        (t.cuda_plugin_error.empty() ? "" : ": " + t.cuda_plugin_error) +
        "); build with -DNABLA_CUDA=ON on a machine with the CUDA toolkit and cuDNN");
  }
  Backend* backend = f->second(device.index());  // throws StateError without a GPU
  t.instances[key] = backend;
  return *backend;
}

bool device_available(Device device, std::string* reason) {
  try {
    backend_for(device);
    return true;
  } catch (const Error& e) {
    if (reason) *reason = e.what();
    return false;
  }
}

// ---- Storage ----

std::shared_ptr<Storage> Storage::allocate(Device device, size_t bytes, const std::string& what) {
  Backend& backend = backend_for(device);
  void* data = backend.allocate(bytes, what);
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
  if (owned_ && data_) backend_for(device_).deallocate(data_, bytes_);
}

void copy_bytes(void* dst, Device dst_device, const void* src, Device src_device, size_t bytes) {
  if (bytes == 0) return;
  if (dst_device.is_cpu() && src_device.is_cpu()) {
    backend_for(Device::CPU).copy_within(dst, src, bytes);
  } else if (src_device.is_cpu()) {
    backend_for(dst_device).copy_from_host(dst, src, bytes);
  } else if (dst_device.is_cpu()) {
    backend_for(src_device).copy_to_host(dst, src, bytes);
  } else if (src_device == dst_device) {
    backend_for(src_device).copy_within(dst, src, bytes);
  } else {
    std::vector<char> staging(bytes);  // between two GPUs: through the host
    backend_for(src_device).copy_to_host(staging.data(), src, bytes);
    backend_for(dst_device).copy_from_host(dst, staging.data(), bytes);
  }
}

}  // namespace nabla
