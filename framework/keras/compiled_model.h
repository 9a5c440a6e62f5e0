// What Sequential::compile turns a model into: one graph with its placeholders and fetches.
#pragma once

#include <memory>
#include <vector>

#include "framework/graph/graph.h"
#include "framework/keras/metrics.h"
#include "framework/runtime/session.h"

namespace nabla {

class Sequential;

/// The training graph of a compiled model. Fetch lists are laid out for the training loop:
/// train_fetches = [loss, statistics of every metric..., train_op], eval_fetches = [loss,
/// statistics...], and predict_fetch the inference-mode output.
struct CompiledModel {
  Graph graph;
  std::unique_ptr<Session> session;
  Tensor x, y, sample_weight;  // placeholders
  DType label_dtype = DType::Float32;
  Shape label_shape;  // with -1 for the batch
  Tensor train_output, infer_output;
  Tensor train_loss, eval_loss;
  Tensor train_op;
  /// Number of statistics tensors of each metric (the same in train and eval fetches).
  std::vector<int> stats_per_metric;
  TensorList train_fetches, eval_fetches;
  Tensor predict_fetch;

  /// Builds the graph of `model` (built, compiled) for `device`.
  static std::unique_ptr<CompiledModel> build(Sequential& model, Device device);
};

}  // namespace nabla
