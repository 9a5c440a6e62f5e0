#include "framework/core/version.h"

// CMake defines NABLA_VERSION (project(nabla VERSION ...)) on this file alone.
#ifndef NABLA_VERSION
#error "NABLA_VERSION must be defined by the build (CMakeLists.txt)"
#endif

namespace nabla {

std::string version() {
  return NABLA_VERSION;
}

}  // namespace nabla
