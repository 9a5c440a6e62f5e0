// What nabla checks before it lets libhdf5 read something from a file that may be damaged or
// hostile, and the glue between libhdf5's handles and nabla's own format reader.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "framework/io/hdf5_format.h"

namespace nabla::h5 {

/// The file that the open HDF5 object `object` belongs to, as the format reader needs it. A file
/// open for writing is flushed first, so the bytes on disk are the ones libhdf5 holds.
format::FileInfo file_info(int64_t object, const std::string& path);

/// The attributes of the open object `object`, decoded from its object header by nabla's bounded
/// reader (hdf5_format.h) rather than by libhdf5. `where` names the object for messages.
std::vector<format::Attribute> attributes_of(int64_t object, const std::string& path,
                                             const std::string& where);

/// Checks the link `name` (relative to the open group `group`) before libhdf5 follows it: a hard
/// link (soft and external links, which could lead into other files, are refused) to an object
/// whose header passes format::check_object_header. IOError naming `where` otherwise. Files open
/// for writing (nabla's own, being written) are not checked.
void check_link(int64_t group, const std::string& name, const std::string& path,
                const std::string& where);

/// Checks that the open dataset `dataset` can be read as numbers without trusting the file:
/// a standard integer or IEEE float type; storage that is contiguous or compact inside the file,
/// or chunked with only deflate, shuffle and fletcher32 and no more than a deflate stream could
/// expand to; no external files (which would read other files named by this one). IOError naming
/// `where` otherwise.
void check_dataset(int64_t dataset, const std::string& path, const std::string& where);

}  // namespace nabla::h5
