// Errors found by kernels in the data itself (an index or label out of range, an integer
// division by zero). A kernel cannot throw, and checking on the host would mean copying the data
// back each step, so the first offending thread writes a record into mapped host memory and the
// host throws the ValueError the CPU kernel would have thrown once the stream is synchronized
// (at the end of Plan::run, and when a value is copied to the host).
#pragma once

#include <cstdint>

#include "framework/backend/kernel.h"

namespace nabla::cuda {

enum class DeviceErrorKind : int { None = 0, IndexOutOfRange, LabelOutOfRange, DivisionByZero };

/// Which kernel call reported: its op and the host address of its node name, carried through
/// the kernel as integers and only turned back into names on the host.
struct ErrorTag {
  uint64_t op = 0xffff;
  uint64_t node = 0;
};

inline ErrorTag error_tag(const KernelArgs& args) {
  return {args.op.index(), reinterpret_cast<uint64_t>(args.node_name)};
}

/// The first error reported since the last check.
struct DeviceErrorRecord {
  int raised = 0;  // set by the first reporting thread (atomically)
  DeviceErrorKind kind = DeviceErrorKind::None;
  ErrorTag tag;
  int64_t value = 0;     // the bad index or label
  int64_t position = 0;  // where it stood
  int64_t limit = 0;     // the valid range is [0, limit)
};

#if defined(__CUDACC__)
/// Records an error unless one is recorded already; the kernel then carries on with a harmless
/// value (zeros), as TensorFlow's GPU kernels do.
__device__ inline void report_error(DeviceErrorRecord* record, ErrorTag tag, DeviceErrorKind kind,
                                    int64_t value, int64_t position, int64_t limit) {
  if (atomicCAS(&record->raised, 0, 1) != 0) return;
  record->kind = kind;
  record->tag = tag;
  record->value = value;
  record->position = position;
  record->limit = limit;
  __threadfence_system();
}
#endif

/// After the stream is synchronized: throws the ValueError describing the recorded error, if
/// any, and clears the record.
void throw_reported_error(DeviceErrorRecord* record);

}  // namespace nabla::cuda
