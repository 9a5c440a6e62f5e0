// nabla's own version (not the Keras version written into files: see kKerasVersion).
#pragma once

#include <string>

namespace nabla {

/// The version of the nabla library the program runs with, "MAJOR.MINOR.PATCH" (e.g. "0.2.0"),
/// as `nabla --version` prints it. It is the library's, fixed when libnabla was built, so a
/// program compiled against older headers reports the library it actually loaded. Files keep
/// Keras's version in their `keras_version` attribute, never this one.
std::string version();

}  // namespace nabla
