// Shared by the CUDA tests: whether a GPU is there, and the decorator that skips a test case
// (reported by doctest as skipped, never as passed) where it is not.
#pragma once

#include <doctest/doctest.h>

#include <string>

#include "framework/backend/backend.h"
#include "framework/nabla.h"

namespace nabla::testing {

/// Why Device::CUDA(0) cannot be used here ("" when it can). Asked once, on first use.
inline const std::string& cuda_unavailable_reason() {
  static const std::string reason = [] {
    std::string why;
    return device_available(Device::CUDA(0), &why) ? std::string() : why;
  }();
  return reason;
}

/// The GPU the CUDA tests run on.
inline const Device kGpu = Device::CUDA(0);

inline bool cuda_available() {
  return cuda_unavailable_reason().empty();
}

}  // namespace nabla::testing

/// A test case that runs on CUDA device 0 and is skipped where there is none.
#define CUDA_TEST_CASE(name) TEST_CASE(name* doctest::skip(!::nabla::testing::cuda_available()))
