// HDF5 files held in memory: Keras 3's model.weights.h5 inside a .keras archive is read from the
// archive's bytes and written to bytes that go into the archive, with no temporary file to
// create, clean up or race on (and it works in read-only folders).
#pragma once

#include <functional>
#include <string>

#include "framework/io/hdf5.h"

namespace nabla::h5 {

/// Opens the HDF5 file image `bytes` read-only (HDF5's core driver, no backing store); the bytes
/// are copied, so they need not outlive the group. `name` names the file in messages
/// ("m.keras/model.weights.h5"). IOError naming it when the bytes are not a readable HDF5 file.
Group open_image(const std::string& bytes, const std::string& name);

/// Builds an HDF5 file in memory through `write(root)` and returns its bytes. `name` names the
/// file in messages. IOError naming it when HDF5 fails; whatever `write` throws is rethrown.
std::string write_image(const std::string& name, const std::function<void(Group& root)>& write);

}  // namespace nabla::h5
