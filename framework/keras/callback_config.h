// Callbacks from Keras configs, {"class_name": "EarlyStopping", "config": {...}}, through one
// registry that users can add their own callbacks to.
#pragma once

#include <functional>
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "framework/core/options.h"
#include "framework/core/registry.h"
#include "framework/keras/callbacks.h"

namespace nabla {

/// What making a callback from a config needs besides the config.
struct CallbackConfigOptions {
  /// Relative file paths of a config (ModelCheckpoint's filepath, CSVLogger's filename,
  /// TensorBoard's log_dir) are taken relative to this directory; "" leaves them relative to the
  /// working directory, as Keras does.
  NABLA_ARG(std::string, base_dir) = "";
  /// Extra attributes ModelCheckpoint saves with each checkpoint (see FileAttributes).
  NABLA_ARG(FileAttributes, attributes) = {};
  /// The JSON path of the config object, which starts every error message: with
  /// "callbacks[0].config", "callbacks[0].config.patience: expected an integer, got \"x\"".
  /// "" stands for "<class name>.config".
  NABLA_ARG(std::string, path) = "";
};

/// Makes a callback from the "config" object of a Keras callback config. A bad or unknown key is
/// a ValueError whose message starts with options.path() + "." + the key.
using CallbackFactory =
    std::function<CallbackPtr(const nlohmann::json& config, const CallbackConfigOptions& options)>;
/// Callbacks by Keras class name. Users may add their own.
using CallbackRegistry = Registry<Callback, CallbackFactory>;
template <>
CallbackRegistry& CallbackRegistry::global();

/// A callback from {"class_name": ..., "config": {...}} with Keras's arguments: EarlyStopping,
/// ReduceLROnPlateau, ModelCheckpoint (filepath default "checkpoint-{epoch:02d}.h5"), CSVLogger
/// (filename default "training.log.csv"), TerminateOnNaN, TensorBoard, or one users registered.
/// NotFoundError for an unknown class; ValueError naming the key (see CallbackConfigOptions::path)
/// for a key the class does not take or a value of the wrong type.
CallbackPtr callback_from_config(const nlohmann::json& keras_config,
                                 const CallbackConfigOptions& options = CallbackConfigOptions());

}  // namespace nabla
