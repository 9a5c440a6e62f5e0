#include "framework/keras/data_parallel.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "framework/core/errors.h"
#include "framework/distributed/bucketed_all_reduce.h"
#include "framework/graph/graph.h"
#include "framework/keras/model.h"
#include "framework/ops/collective_ops.h"
#include "framework/ops/op_def.h"
#include "framework/ops/ops.h"
#include "optimizers/optimizer.h"

namespace nabla::detail {

DataParallelStep::DataParallelStep(const distributed::Strategy& strategy, Device device)
    : strategy_(strategy),
      group_(std::make_unique<distributed::CollectiveGroup>(strategy.communicator(), device, 0)) {
  row_offset_ = placeholder(DType::Int64, Shape{}, "row_offset");
  share_ = placeholder(DType::Float32, Shape{}, "rank_share");
}

void DataParallelStep::prepare(CallContext& ctx) const {
  ctx.row_offset = row_offset_;
  const int64_t group = group_->id();
  ctx.cross_replica_sum = [group](const Tensor& x) { return all_reduce_sum(x, group); };
}

Tensor DataParallelStep::weighted_loss(const Tensor& loss) const {
  return loss * share_;
}

TensorList DataParallelStep::all_reduce(const TensorList& gradients) {
  // The gradients in the order the backward pass makes them: by node id, as the plan runs the
  // backward pass (gradient nodes are made from the loss backwards).
  std::vector<size_t> order;
  for (size_t i = 0; i < gradients.size(); ++i)
    if (gradients[i].defined()) order.push_back(i);
  auto id_of = [&](size_t i) { return gradients[i].node() ? gradients[i].node()->id() : -1; };
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return id_of(a) < id_of(b); });
  std::vector<size_t> bytes;
  std::vector<DType> dtypes;
  for (size_t i : order) {
    const Tensor& g = gradients[i];
    if (!g.shape().is_fully_defined())
      throw ShapeError("data-parallel training: the gradient of trainable variable " +
                       std::to_string(i) + " has no fully defined shape (" + g.shape().to_string() +
                       ")");
    bytes.push_back(static_cast<size_t>(g.shape().numel()) * dtype_size(g.dtype()));
    dtypes.push_back(g.dtype());
  }
  const std::vector<int> first =
      distributed::bucket_boundaries(bytes, dtypes, strategy_.bucket_bytes());
  num_buckets_ = static_cast<int>(first.size()) - 1;
  group_->set_buckets(num_buckets_);
  bytes_per_step_ = 0;
  for (size_t b : bytes) bytes_per_step_ += b;

  Graph& graph = *gradients[order.empty() ? 0 : order.front()].graph();
  auto scope = graph.name_scope("all_reduce");
  const double mean = 1.0 / strategy_.world_size();
  TensorList out(gradients.size());
  for (int b = 0; b < num_buckets_; ++b) {
    TensorList members;
    for (int k = first[b]; k < first[b + 1]; ++k) members.push_back(gradients[order[k]]);
    const Tensor buffer = all_reduce_start(share_, members, group_->id(), b);
    int64_t offset = 0;
    for (int k = first[b]; k < first[b + 1]; ++k) {
      const Tensor& g = gradients[order[k]];
      out[order[k]] = all_reduce_unpack(buffer, group_->id(), b, offset, g.shape(), mean);
      offset += g.shape().numel();
    }
  }
  return out;
}

void DataParallelStep::set_replica_local(const std::vector<Tensor>& layer_updates) {
  replica_local_.clear();
  for (const Tensor& u : layer_updates) {
    const Node* n = u.node();
    if (!n) continue;
    for (int i : n->def().mutates) {
      const Node* in = n->inputs()[static_cast<size_t>(i)];
      if (in->kind() != NodeKind::Variable) continue;
      const Variable v(in->variable_state());
      const bool seen = std::any_of(replica_local_.begin(), replica_local_.end(),
                                    [&](const Variable& w) { return w == v; });
      if (!seen) replica_local_.push_back(v);
    }
  }
}

float DataParallelStep::share_of(const distributed::Shard& mine, int64_t rows) const {
  if (rows <= 0) return 0.f;
  return static_cast<float>(static_cast<double>(mine.count) * strategy_.world_size() /
                            static_cast<double>(rows));
}

void DataParallelStep::sum(std::vector<double>& values) const {
  strategy_.all_reduce_stats(values.data(), values.size());
}

void DataParallelStep::average_replica_local() const {
  if (!replica_local_.empty()) strategy_.average_variables(replica_local_);
}

uint64_t begin_data_parallel_fit(Model& model, const DataParallelStep& dp,
                                 const std::string& fit_fingerprint, uint64_t seed) {
  const distributed::Strategy& s = dp.strategy();
  s.check_same_on_all_ranks("model", model.to_json() + "\n" +
                                         distributed::describe_shapes(model.weights()) + "\n" +
                                         model.optimizer().get_config().dump());
  s.check_same_on_all_ranks("fit call (data size, batch_size, epochs, shuffle)", fit_fingerprint);
  VariableList state = model.weights();
  for (const Variable& v : model.optimizer().variables()) state.push_back(v);
  s.broadcast_variables(state, 0);
  s.communicator().broadcast(&seed, sizeof seed, 0);
  return seed;
}

std::vector<CallbackPtr> callbacks_for_rank(const std::vector<CallbackPtr>& callbacks,
                                            const DataParallelStep* dp) {
  if (!dp || dp->strategy().is_chief()) return callbacks;
  std::vector<CallbackPtr> out;
  for (const CallbackPtr& c : callbacks)
    if (!c->chief_only()) out.push_back(c);
  return out;
}

}  // namespace nabla::detail
