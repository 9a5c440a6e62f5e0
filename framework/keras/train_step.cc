#include "framework/keras/train_step.h"

#include "framework/autodiff/gradients.h"
#include "framework/keras/data_parallel.h"
#include "framework/keras/model.h"
#include "framework/keras/model_state.h"
#include "framework/ops/ops.h"

namespace nabla {

namespace {

// One float32 placeholder per model input.
TensorList input_placeholders(const Model& model) {
  TensorList inputs;
  const std::vector<Shape> shapes = model.input_shapes();
  for (size_t i = 0; i < shapes.size(); ++i)
    inputs.push_back(placeholder(DType::Float32, shapes[i],
                                 shapes.size() == 1 ? "x" : "x_" + std::to_string(i)));
  return inputs;
}

}  // namespace

std::unique_ptr<TrainStep> TrainStep::build_inference(Model& model, Device device) {
  auto step = std::make_unique<TrainStep>();
  Graph& g = step->graph;
  auto scope = g.as_default();
  auto capture = g.capture_variables();
  step->inputs = input_placeholders(model);
  CallContext infer_ctx;
  step->infer_outputs = model.call(step->inputs, infer_ctx);
  step->session = std::make_unique<Session>(g, device);
  return step;
}

std::unique_ptr<TrainStep> TrainStep::build(Model& model, Device device) {
  auto step = std::make_unique<TrainStep>();
  detail::ModelState& state = model.state();
  Graph& g = step->graph;
  auto scope = g.as_default();
  auto capture = g.capture_variables();  // variable reads below are graph nodes
  Optimizer& optimizer = model.optimizer();

  step->inputs = input_placeholders(model);
  const std::vector<Shape> out_shapes = model.output_shapes();
  for (size_t o = 0; o < out_shapes.size(); ++o) {
    Target t;
    t.loss = state.losses.at(o);
    t.weight = state.weights.at(o);
    t.name = model.output_names().at(o);
    if (t.loss->label_kind() == LabelKind::Sparse) {
      t.label_dtype = DType::Int32;
      t.label_shape = Shape{-1};
    } else {
      t.label_dtype = DType::Float32;
      t.label_shape = out_shapes[o];
    }
    const std::string suffix = out_shapes.size() == 1 ? "" : "_" + std::to_string(o);
    t.labels = placeholder(t.label_dtype, t.label_shape, "y" + suffix);
    t.sample_weight = placeholder(DType::Float32, {-1}, "sample_weight" + suffix);
    step->targets.push_back(t);
  }

  // Data-parallel training: step inputs of its own, and the ranks made known to the layers.
  if (state.strategy.is_distributed())
    step->data_parallel = std::make_shared<detail::DataParallelStep>(state.strategy, device);

  // The forward pass twice over the same variables: training mode (dropout, batch statistics,
  // moving-average updates) and inference mode.
  std::vector<Tensor> layer_updates, activity_losses;
  CallContext train_ctx;
  train_ctx.training = true;
  train_ctx.step = g.capture(optimizer.iterations().read());
  train_ctx.updates = &layer_updates;
  train_ctx.losses = &activity_losses;
  if (step->data_parallel) step->data_parallel->prepare(train_ctx);
  {
    auto ns = g.name_scope("training");
    step->train_outputs = model.call(step->inputs, train_ctx);
  }
  CallContext infer_ctx;
  step->infer_outputs = model.call(step->inputs, infer_ctx);

  TensorList penalties;
  for (const LayerPtr& layer : model.layers())
    for (const Tensor& p : layer->regularization_losses()) penalties.push_back(p);
  auto total_loss = [&](const TensorList& outputs, const TensorList& extra,
                        TensorList& per_output) {
    Tensor l;
    for (size_t o = 0; o < outputs.size(); ++o) {
      const Target& t = step->targets[o];
      const Tensor lo = (*t.loss)(t.labels, outputs[o], t.sample_weight);
      if (outputs.size() > 1) per_output.push_back(lo);
      const Tensor weighted = t.weight == 1.0 ? lo : lo * t.weight;
      l = l.defined() ? l + weighted : weighted;
    }
    for (const Tensor& p : penalties) l = l + p;
    for (const Tensor& p : extra) l = l + p;
    return l;
  };
  {
    auto ns = g.name_scope("loss");
    step->train_loss = total_loss(step->train_outputs, activity_losses, step->train_output_losses);
  }
  {
    auto ns = g.name_scope("eval_loss");
    step->eval_loss = total_loss(step->infer_outputs, {}, step->eval_output_losses);
  }

  step->trainable = model.trainable_weights();
  TensorList updates;
  if (!step->trainable.empty()) {
    step->raw_gradients =
        nabla::gradients(step->data_parallel ? step->data_parallel->weighted_loss(step->train_loss)
                                             : step->train_loss,
                         step->trainable);
    const TensorList averaged = step->data_parallel
                                    ? step->data_parallel->all_reduce(step->raw_gradients)
                                    : step->raw_gradients;
    step->gradients =
        state.gradient_transform ? state.gradient_transform(averaged, step->trainable) : averaged;
    auto ns = g.name_scope("optimizer");
    updates.push_back(optimizer.apply_gradients(step->gradients, step->trainable));
  }
  updates.insert(updates.end(), layer_updates.begin(), layer_updates.end());
  if (step->data_parallel) step->data_parallel->set_replica_local(layer_updates);
  step->update = group(updates, "train_op");

  for (size_t k = 0; k < state.metrics.size(); ++k) {
    const MetricPtr& m = state.metrics[k];
    const int o = state.metric_outputs[k];
    auto ns = g.name_scope("metrics/" + state.metric_names[k]);
    const Target& t = step->targets[o];
    step->metrics.push_back({m, o, state.metric_names[k],
                             m->statistics(t.labels, step->train_outputs[o], t.sample_weight),
                             m->statistics(t.labels, step->infer_outputs[o], t.sample_weight)});
  }
  step->session = std::make_unique<Session>(g, device);
  return step;
}

}  // namespace nabla
