#include "framework/backend/backend.h"

#include <dlfcn.h>

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "framework/core/errors.h"

namespace nabla {
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

// The folder libnabla itself was loaded from ("" if the loader cannot say).
std::string libnabla_folder() {
  Dl_info info{};
  if (!dladdr(reinterpret_cast<void*>(&libnabla_folder), &info) || !info.dli_fname) return "";
  const std::string path = info.dli_fname;
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash + 1);
}

// The CUDA backend is a plugin: loading it registers its factory. Only a program that asks for a
// CUDA device ever loads it, so the CPU path has no CUDA dependency at run time. It is looked for
// next to libnabla first (where cmake --install and the Debian package put it), so an installed
// libnabla loads its own plugin and never another version's; then where this build made it;
// then by name through the loader's search path (LD_LIBRARY_PATH).
void load_cuda_plugin(BackendTable& t) {
  if (t.cuda_plugin_tried) return;
  t.cuda_plugin_tried = true;
  std::vector<std::string> candidates;
  if (const std::string folder = libnabla_folder(); !folder.empty())
    candidates.push_back(folder + "libnabla_cuda.so");
  if (*NABLA_CUDA_PLUGIN_PATH) candidates.push_back(NABLA_CUDA_PLUGIN_PATH);
  candidates.push_back("libnabla_cuda.so");
  void* handle = nullptr;
  for (const std::string& name : candidates) {
    handle = dlopen(name.c_str(), RTLD_NOW | RTLD_GLOBAL);
    if (handle) break;
    t.cuda_plugin_error += (t.cuda_plugin_error.empty() ? "" : "; ") + std::string(dlerror());
  }
  if (!handle) return;
  t.cuda_plugin_error.clear();
  using InitFn = void (*)();
  auto init = reinterpret_cast<InitFn>(dlsym(handle, "nabla_cuda_plugin_init"));
  if (!init) {
    t.cuda_plugin_error = "libnabla_cuda.so has no nabla_cuda_plugin_init";
    return;
  }
  init();  // registers the backend through register_backend() (the mutex is recursive)
}

}  // namespace

KernelFn Backend::kernel(OpId op) const {
  if (!has_kernel(op))
    throw UnimplementedError("op " + op.name() + " has no kernel on " + device().to_string());
  return kernels_[op.index()];
}

bool Backend::has_kernel(OpId op) const {
  return op.valid() && op.index() < kernels_.size() && kernels_[op.index()] != nullptr;
}

void Backend::register_kernel(OpId op, KernelFn fn, KernelDecodeFn decode) {
  if (op.index() >= kernels_.size()) {
    kernels_.resize(op.index() + 1, nullptr);
    decoders_.resize(op.index() + 1, nullptr);
  }
  kernels_[op.index()] = fn;
  decoders_[op.index()] = decode;
}

void Backend::prepare(KernelArgs& args) const {
  if (args.op.valid() && args.op.index() < decoders_.size())
    if (KernelDecodeFn decode = decoders_[args.op.index()]) decode(args);
}

std::vector<OpId> Backend::kernel_ops() const {
  std::vector<OpId> out;
  for (size_t i = 0; i < kernels_.size(); ++i)
    if (kernels_[i]) out.emplace_back(static_cast<uint16_t>(i));
  return out;
}

void register_backend(DeviceType type, std::function<Backend*(int index)> factory) {
  BackendTable& t = table();
  std::lock_guard<std::recursive_mutex> lock(t.mutex);
  t.factories[type] = std::move(factory);
}

Backend& backend_for(Device device) {
  // The CPU backend is asked for on every eager op: once found, without the lock.
  static std::atomic<Backend*> cpu{nullptr};
  if (device.is_cpu())
    if (Backend* b = cpu.load(std::memory_order_acquire)) return *b;
  BackendTable& t = table();
  std::lock_guard<std::recursive_mutex> lock(t.mutex);
  auto key = std::make_pair(device.type(), device.index());
  if (auto it = t.instances.find(key); it != t.instances.end()) return *it->second;
  if (device.type() == DeviceType::CUDA && !t.factories.count(device.type())) load_cuda_plugin(t);
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
  if (device.is_cpu()) cpu.store(backend, std::memory_order_release);
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

// Core asks for the memory of devices other than the host through this (it knows no backend).
const bool memory_resolver_set = [] {
  set_device_memory_resolver([](Device device) -> DeviceMemory& { return backend_for(device); });
  return true;
}();

}  // namespace nabla
