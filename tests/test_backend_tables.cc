// Every op of the op table has a kernel on every backend compiled into this build, checked
// without a GPU: the CUDA plugin lists its kernel table without touching a device.
#include <dlfcn.h>
#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

#include "framework/backend/backend.h"
#include "framework/ops/op_def.h"

using namespace nabla;

namespace {

// The op types a backend must run: all but the three node kinds the session binds itself.
std::vector<OpId> ops_needing_kernels() {
  std::vector<OpId> out;
  for (OpId id : OpRegistry::global().ids())
    if (id != op::Placeholder && id != op::Const && id != op::Variable) out.push_back(id);
  return out;
}

}  // namespace

TEST_CASE("the CPU backend has a kernel for every op of the op table") {
  std::string missing;
  for (OpId id : ops_needing_kernels())
    if (!backend_for(Device::CPU).has_kernel(id)) missing += " " + id.name();
  CHECK_MESSAGE(missing.empty(), "no CPU kernel:" << missing);
}

TEST_CASE("the CUDA backend, where it is built, has a kernel for every op of the op table") {
  const std::string plugin = NABLA_CUDA_PLUGIN_FILE;
  if (plugin.empty()) {
    MESSAGE("skipped: this build has no CUDA backend");
    return;
  }
  void* handle = dlopen(plugin.c_str(), RTLD_NOW | RTLD_GLOBAL);
  REQUIRE_MESSAGE(handle, "cannot load " << plugin << ": " << dlerror());
  using ListFn = int (*)(uint16_t*, int);
  auto list = reinterpret_cast<ListFn>(dlsym(handle, "nabla_cuda_kernel_ops"));
  REQUIRE_MESSAGE(static_cast<bool>(list), plugin << " has no nabla_cuda_kernel_ops");
  std::vector<uint16_t> ids(1024);
  const int count = list(ids.data(), static_cast<int>(ids.size()));
  REQUIRE(count <= static_cast<int>(ids.size()));
  const std::set<uint16_t> cuda(ids.begin(), ids.begin() + count);
  std::string missing;
  for (OpId id : ops_needing_kernels())
    if (!cuda.count(id.index())) missing += " " + id.name();
  CHECK_MESSAGE(missing.empty(), "no CUDA kernel:" << missing);
}
