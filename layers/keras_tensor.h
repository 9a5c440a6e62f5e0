// Keras tensors: the symbolic tensors a functional model is built from.
#pragma once

#include <memory>
#include <string>

#include "framework/core/tensor.h"

namespace nabla {

class Graph;
class Layer;

/// Where a Keras tensor came from: output `tensor_index` of call `node_index` of `layer`.
struct KerasHistory {
  std::shared_ptr<Layer> layer;
  int node_index = 0;
  int tensor_index = 0;
};

/// True for the tensors of functional model construction: what Input() gives and what a layer
/// called on such tensors returns. They are placeholders of one graph per thread that holds
/// nothing else (they carry a shape and a dtype, no value) and each keeps the layer that made it.
bool is_keras_tensor(const Tensor& t);

/// The call that made Keras tensor `t`; ValueError naming `what` when t is no Keras tensor.
KerasHistory keras_history(const Tensor& t, const std::string& what);

/// A new Keras tensor of `shape` (batch -1) and `dtype`: output `index` of call `node_index` of
/// `layer`, named `name` (unique within this thread's Keras tensors).
Tensor make_keras_tensor(const Shape& shape, DType dtype, const std::shared_ptr<Layer>& layer,
                         int node_index, int index, const std::string& name);

}  // namespace nabla
