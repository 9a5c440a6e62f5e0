#include "framework/keras/compiled_model.h"

#include "framework/autodiff/gradients.h"
#include "framework/keras/sequential.h"
#include "framework/ops/ops.h"

namespace nabla {

std::unique_ptr<CompiledModel> CompiledModel::build(Sequential& model, Device device) {
  auto cm = std::make_unique<CompiledModel>();
  Graph& g = cm->graph;
  auto scope = g.as_default();
  auto capture = g.capture_variables();  // variable reads below are graph nodes
  const Loss& loss = model.loss();
  Optimizer& optimizer = model.optimizer();

  cm->x = placeholder(DType::Float32, model.input_shape(), "x");
  if (loss.label_kind() == LabelKind::Sparse) {
    cm->label_dtype = DType::Int32;
    cm->label_shape = Shape{-1};
  } else {
    cm->label_dtype = DType::Float32;
    cm->label_shape = model.output_shape();
  }
  cm->y = placeholder(cm->label_dtype, cm->label_shape, "y");
  cm->sample_weight = placeholder(DType::Float32, {-1}, "sample_weight");

  // The forward pass twice over the same variables: training mode (dropout, batch statistics,
  // moving-average updates) and inference mode.
  std::vector<Tensor> updates, activity_losses;
  CallContext train_ctx;
  train_ctx.training = true;
  train_ctx.step = g.capture(optimizer.iterations().read());
  train_ctx.updates = &updates;
  train_ctx.losses = &activity_losses;
  {
    auto ns = g.name_scope("training");
    cm->train_output = model.call(cm->x, train_ctx);
  }
  CallContext infer_ctx;
  cm->infer_output = model.call(cm->x, infer_ctx);
  cm->predict_fetch = cm->infer_output;

  TensorList penalties;
  for (const LayerPtr& layer : model.layers())
    for (const Tensor& p : layer->regularization_losses()) penalties.push_back(p);
  auto with_penalties = [&](Tensor l, const TensorList& extra) {
    for (const Tensor& p : penalties) l = l + p;
    for (const Tensor& p : extra) l = l + p;
    return l;
  };
  {
    auto ns = g.name_scope("loss");
    cm->train_loss =
        with_penalties(loss(cm->y, cm->train_output, cm->sample_weight), activity_losses);
  }
  {
    auto ns = g.name_scope("eval_loss");
    cm->eval_loss = with_penalties(loss(cm->y, cm->infer_output, cm->sample_weight), {});
  }

  const VariableList trainable = model.trainable_weights();
  TensorList train_ops;
  if (!trainable.empty()) {
    const TensorList grads = gradients(cm->train_loss, trainable);
    auto ns = g.name_scope("optimizer");
    train_ops.push_back(optimizer.apply_gradients(grads, trainable));
  }
  train_ops.insert(train_ops.end(), updates.begin(), updates.end());
  cm->train_op = group(train_ops, "train_op");

  cm->train_fetches = {cm->train_loss};
  cm->eval_fetches = {cm->eval_loss};
  for (const MetricPtr& m : model.metrics()) {
    auto ns = g.name_scope("metrics/" + m->name());
    const TensorList train_stats = m->statistics(cm->y, cm->train_output, cm->sample_weight);
    const TensorList eval_stats = m->statistics(cm->y, cm->infer_output, cm->sample_weight);
    cm->stats_per_metric.push_back(static_cast<int>(train_stats.size()));
    cm->train_fetches.insert(cm->train_fetches.end(), train_stats.begin(), train_stats.end());
    cm->eval_fetches.insert(cm->eval_fetches.end(), eval_stats.begin(), eval_stats.end());
  }
  if (cm->train_op.defined()) cm->train_fetches.push_back(cm->train_op);
  cm->session = std::make_unique<Session>(g, device);
  return cm;
}

}  // namespace nabla
