// The TensorBoard callback of a run config: {"class_name": "TensorBoard", "config": {...}}.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "framework/keras/callbacks.h"

namespace nabla::cli {

/// A TensorBoard callback from its config (Keras's get_config() keys): log_dir (relative to
/// `out_dir`, like ModelCheckpoint's filepath), histogram_freq, write_graph, update_freq
/// ("epoch", "batch" or a number). Keras's options nabla lacks (profile_batch, write_images,
/// write_steps_per_second, embeddings_freq, embeddings_metadata) are accepted at their
/// "off" values only. ConfigError naming `path` + the key for anything else.
CallbackPtr tensorboard_from_config(const nlohmann::json& config, const std::string& path,
                                    const std::filesystem::path& out_dir);

}  // namespace nabla::cli
