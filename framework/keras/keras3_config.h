// Keras 3's form of a model's config: what config.json in a .keras archive holds. (Model::
// get_config and to_json write Keras 2's form, which both Keras versions read from .h5 files.)
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "framework/keras/model.h"

namespace nabla {

/// The model as Keras 3's serialize_keras_object writes it: module, class_name, config,
/// registered_name, build_config and compile_config ({} when the model is not compiled). A
/// Functional's inbound nodes are {"args": [...], "kwargs": {}} of __keras_tensor__ objects,
/// its InputLayers have batch_shape, and one input or output is a bare [name, node, tensor].
nlohmann::json keras3_model_config(const Model& model);

/// Keras 3's compile_config of a compiled model (its training step built, so that its metrics
/// are resolved): the optimizer as {"module", "class_name", "config", "registered_name"}, the
/// loss (its name when it has its default arguments, else the object; one per output by name
/// when they differ), metrics, loss_weights and Keras's other compile arguments.
nlohmann::json keras3_compile_config(const Model& model);

}  // namespace nabla
