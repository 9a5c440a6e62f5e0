// How the CUDA backend reports failures: failed library calls, errors kernels found in the data,
// and the current-device switch every entry point goes through.
#include <string>

#include "framework/core/errors.h"
#include "framework/cuda/context.h"
#include "framework/cuda/device_error.h"

namespace nabla::cuda {

void use_device(int device) {
  // cudaSetDevice is cheap but not free; the thread's current device rarely changes.
  thread_local int current = -1;
  if (current == device) return;
  check(cudaSetDevice(device), "cudaSetDevice", nullptr);
  current = device;
}

void throw_call_error(const char* call, const char* message, const KernelArgs* args,
                      bool out_of_memory) {
  const std::string text = (args ? args->where() : std::string("CUDA backend")) + ": " + call +
                           " failed: " + (message ? message : "unknown error");
  if (out_of_memory) throw OutOfMemoryError("out of memory: " + text);
  throw Error(text);
}

void throw_reported_error(DeviceErrorRecord* record) {
  if (!record || !record->raised) return;
  const DeviceErrorRecord r = *record;
  *record = DeviceErrorRecord{};  // the next run starts clean
  const OpId op(static_cast<uint16_t>(r.tag.op));
  const auto* node = reinterpret_cast<const std::string*>(r.tag.node);
  const std::string where =
      (op.valid() ? op.name() : std::string("a CUDA kernel")) + (node ? " '" + *node + "'" : "");
  const std::string range = " is outside [0, " + std::to_string(r.limit) + ")";
  switch (r.kind) {
    case DeviceErrorKind::IndexOutOfRange:
      throw ValueError(where + ": index " + std::to_string(r.value) + " at position " +
                       std::to_string(r.position) + range);
    case DeviceErrorKind::LabelOutOfRange:
      throw ValueError(where + ": label " + std::to_string(r.value) + " at row " +
                       std::to_string(r.position) + range);
    case DeviceErrorKind::DivisionByZero:
      throw ValueError(where + ": integer division by zero");
    case DeviceErrorKind::None:
      break;
  }
  throw ValueError(where + ": a kernel reported bad input");
}

}  // namespace nabla::cuda
