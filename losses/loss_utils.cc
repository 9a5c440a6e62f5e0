#include "losses/loss_utils.h"

#include <nlohmann/json.hpp>

#include "framework/graph/node.h"
#include "framework/ops/ops.h"

namespace nabla::loss_utils {

std::pair<Tensor, Tensor> squeeze_or_expand_to_same_rank(const Tensor& x1, const Tensor& x2,
                                                         bool expand_rank_1) {
  Tensor a = x1, b = x2;
  const int ra = a.rank(), rb = b.rank();
  if (ra == rb + 1 && a.shape().dim(-1) == 1) {
    if (rb == 1 && expand_rank_1)
      b = expand_dims(b, -1);
    else
      a = squeeze(a, -1);
  }
  if (rb == ra + 1 && b.shape().dim(-1) == 1) {
    if (ra == 1 && expand_rank_1)
      a = expand_dims(a, -1);
    else
      b = squeeze(b, -1);
  }
  return {a, b};
}

std::pair<Tensor, Tensor> align(const Tensor& y_true, const Tensor& y_pred) {
  return squeeze_or_expand_to_same_rank(cast(y_true, y_pred.dtype()), y_pred);
}

Tensor logits_behind(const Tensor& y_pred, OpId op, int axis) {
  if (!y_pred.is_symbolic() || y_pred.node()->op_id() != op) return Tensor();
  const Node* node = y_pred.node();
  if (node->inputs().size() != 1) return Tensor();
  // Sigmoid is element-wise; a softmax only gives logits for the axis the loss sums over.
  if (op == op::Softmax) {
    const int rank = y_pred.rank();
    const int softmax_axis = static_cast<int>(node->attrs().get_int("axis", -1));
    if (normalize_axis(softmax_axis, rank, "Softmax") != normalize_axis(axis, rank, "Softmax"))
      return Tensor();
  }
  return node->inputs()[0]->output();
}

Tensor clip_probabilities(const Tensor& p) {
  // Bounds typed like p: a C++ double becomes a float32 literal, and a float64 p clipped at
  // float32(1 - 1e-7) would lose 19% of log(1 - p) to the rounding.
  const Tensor lo = Tensor::scalar(kEpsilon, p.dtype()).to(p.device());
  const Tensor hi = Tensor::scalar(1.0 - kEpsilon, p.dtype()).to(p.device());
  return minimum(maximum(p, lo), hi);
}

void check_same_shape(const std::string& loss, const Tensor& a, const Tensor& b) {
  bool ok = a.rank() == b.rank();
  for (int i = 0; ok && i < a.rank(); ++i)
    ok = a.shape()[i] < 0 || b.shape()[i] < 0 || a.shape()[i] == b.shape()[i];
  if (!ok)
    throw ShapeError(loss + ": labels of shape " + a.shape().to_string() +
                     " do not match predictions of shape " + b.shape().to_string());
}

Tensor weights_like(const Tensor& sample_weight, const Tensor& values) {
  Tensor w = cast(sample_weight, values.dtype());
  if (w.rank() == values.rank() + 1 && w.shape().dim(-1) == 1) w = squeeze(w, -1);
  while (w.rank() > 0 && w.rank() < values.rank()) w = expand_dims(w, -1);
  return w;
}

std::string name_from_config(const nlohmann::json& config, const std::string& fallback) {
  if (!config.is_object()) return fallback;
  if (config.contains("reduction")) {
    // Keras writes no reduction at all ("none") as null.
    const auto& value = config["reduction"];
    const std::string reduction = value.is_string() ? value.get<std::string>() : "none";
    if (reduction != "sum_over_batch_size" && reduction != "mean")
      throw UnimplementedError("loss '" + fallback + "': reduction '" + reduction +
                               "' is not supported; nabla reduces with 'sum_over_batch_size'");
  }
  if (config.contains("name") && config["name"].is_string())
    return config["name"].get<std::string>();
  return fallback;
}

}  // namespace nabla::loss_utils
