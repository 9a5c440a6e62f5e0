// A model compiled from a saved training configuration: tf-keras's training_config in .h5 files
// and Keras 3's compile_config in .keras archives.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "framework/keras/model.h"

namespace nabla {

/// Compiles `model` as `config` says: the optimizer ("optimizer_config" or "optimizer"), the loss
/// (one for every output, a list in output order, or an object by output name), the metrics (a
/// list, a list per output, or an object by output name) and the loss weights. Errors name the
/// key; the caller adds the file.
void compile_from_config(Model& model, const nlohmann::json& config, Device device);

}  // namespace nabla
