// TrainStep: what compile turns a model into — one graph, its session, and named handles into it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "framework/graph/graph.h"
#include "framework/keras/metrics.h"
#include "framework/runtime/session.h"
#include "losses/loss.h"

namespace nabla {

class Model;
namespace detail {
class DataParallelStep;
}

/// The compiled training step of a Model. Loops, tools and distributed training address its
/// parts by name, never by position in a fetch list:
///
///   inputs → (train_outputs | infer_outputs) → (train_loss | eval_loss), metric statistics
///   train_loss → raw_gradients → [all-reduce] → [GradientTransform] → gradients → update
///
/// `gradients` are what the optimizer applies: the raw gradients, averaged over the ranks when
/// the model trains data-parallel (data_parallel, framework/keras/data_parallel.h), after the
/// model's GradientTransform. `update` runs the optimizer's update and the layers' own updates
/// (BatchNormalization's moving statistics) in one op.
struct TrainStep {
  /// One target placeholder per output, as its loss takes the labels.
  struct Target {
    Tensor labels;         // int32 [batch] for sparse losses, else float32 like the output
    Tensor sample_weight;  // float32 [batch]
    DType label_dtype = DType::Float32;
    Shape label_shape;  // with -1 for the batch
    LossPtr loss;
    double weight = 1.0;  // of this output's loss in the total
    std::string name;     // the output's name
  };
  /// A metric and the tensors of its per-batch statistics in both modes.
  struct MetricStats {
    MetricPtr metric;
    int output = 0;    // the output it measures
    std::string name;  // in the logs: the metric's, prefixed by the output's when there are several
    TensorList train, eval;
  };

  Graph graph;
  std::unique_ptr<Session> session;
  TensorList inputs;  // one float32 placeholder per model input
  std::vector<Target> targets;
  TensorList train_outputs, infer_outputs;
  Tensor train_loss, eval_loss;  // the weighted losses of every output plus regularization
  /// Each output's own loss (unweighted, no regularization), when there are several outputs.
  TensorList train_output_losses, eval_output_losses;
  std::vector<MetricStats> metrics;
  VariableList trainable;
  TensorList raw_gradients, gradients;
  Tensor update;
  /// The data-parallel parts (step inputs, gradient all-reduce, collective group) when the
  /// model's strategy has several ranks; null otherwise.
  std::shared_ptr<detail::DataParallelStep> data_parallel;

  /// Compiles `model` (built and compiled) for `device`.
  static std::unique_ptr<TrainStep> build(Model& model, Device device);
  /// Compiles the inference pass alone — `inputs`, `infer_outputs` and the session, no targets,
  /// losses or update — for predict() on a model that is built but not compiled.
  static std::unique_ptr<TrainStep> build_inference(Model& model, Device device);
};

}  // namespace nabla
