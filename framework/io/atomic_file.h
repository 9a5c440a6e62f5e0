// How nabla writes every file it produces: all or nothing, never a half-written file where a good
// one was.
#pragma once

#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>

namespace nabla {

/// Writes `path` so that it holds either its old content or the complete new one, whatever
/// happens (a full disk, a killed process, a power cut):
///
///  1. orphaned temporary files of earlier saves of `path` whose process is gone are removed;
///  2. `write(temp_path)` writes the new content into a temporary file in the same directory
///     (".NAME.tmp-PID"), closing whatever it opens and throwing on any error;
///  3. the temporary file is fsynced and closed (errors checked), renamed over `path`, and the
///     directory is fsynced so that the rename itself is durable.
///
/// On any failure the temporary file is removed, an existing file at `path` is untouched, and an
/// IOError names `path` and the cause ("No space left on device", "Permission denied", ...).
void write_file_atomically(const std::string& path,
                           const std::function<void(const std::string& temp_path)>& write);

/// write_file_atomically() of content already in memory (JSON, CSV, logs).
void write_text_atomically(const std::string& path, std::string_view content);
/// The same for content in several pieces written back to back (a header, then a tensor's bytes),
/// so a large buffer is not copied into one string first.
void write_chunks_atomically(const std::string& path,
                             std::initializer_list<std::string_view> chunks);

/// "<what> '<path>': <strerror(error)>" as an IOError message, for writers that see errno.
std::string io_error_message(const std::string& what, const std::string& path, int error);

}  // namespace nabla
