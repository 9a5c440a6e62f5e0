// What data-parallel training (a distributed::Strategy of several ranks) adds to a compiled
// training step and to the loops that run it. Internal to framework/keras.
//
// In the step's graph: two step inputs (this rank's first row within the global batch, and its
// share of the batch's rows), the cross-replica sum that synchronized batch statistics use, and
// the gradient all-reduce as graph ops between "gradients computed" and "update applied": the
// gradients, in the order the backward pass makes them, are grouped into buckets of a few MB;
// one op per bucket packs it and starts its all-reduce as soon as its last gradient exists (the
// plan schedules it ahead of the rest of the backward pass), and the ops that take the averaged
// gradients out of the buckets wait for them just before the optimizer's update. A compiled step
// thus replays with no host-side work besides MPI's, and a CUDA Graph captures NCCL's too.
//
// In the loops: each rank's rows of every global batch, the sums over the ranks of the loss and
// metric statistics, identical starting state, and the epoch-end average of per-rank statistics.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "framework/distributed/collective_group.h"
#include "framework/distributed/strategy.h"
#include "framework/keras/callbacks.h"
#include "layers/layer.h"

namespace nabla {

class Model;

namespace detail {

/// The data-parallel parts of one compiled TrainStep (see the file comment).
class DataParallelStep {
 public:
  /// Makes the step inputs in the default graph and the collective group for `device` (with a
  /// GPU, a collective call: every rank builds its step at the same point).
  DataParallelStep(const distributed::Strategy& strategy, Device device);
  DataParallelStep(const DataParallelStep&) = delete;
  DataParallelStep& operator=(const DataParallelStep&) = delete;

  /// The strategy the step was built for.
  const distributed::Strategy& strategy() const { return strategy_; }
  /// The group the step's collective ops run through.
  distributed::CollectiveGroup& group() const { return *group_; }

  /// Tells the training-mode forward pass about the ranks: the row offset for random layers, and
  /// the cross-replica sum for synchronized statistics.
  void prepare(CallContext& ctx) const;
  /// What this rank differentiates: its loss (a mean over its rows) times its share of the
  /// batch's rows, so that the ranks' gradients, summed, are the gradient of the global batch's
  /// mean loss times the number of ranks, also when the batch splits unevenly and through
  /// synchronized statistics (whose backward pass mixes the ranks' gradients).
  Tensor weighted_loss(const Tensor& loss) const;
  /// The gradient transform of the step: `gradients` of the weighted loss (one per trainable
  /// variable, undefined where none flows) averaged over the ranks.
  TensorList all_reduce(const TensorList& gradients);
  /// Records the variables that the layers' updates (`layer_updates`, assignment ops) write when
  /// each rank computes them from its own rows: averaged over the ranks at epoch ends.
  void set_replica_local(const std::vector<Tensor>& layer_updates);

  /// Step input: the index within the global batch of this rank's first row (int64 scalar).
  const Tensor& row_offset() const { return row_offset_; }
  /// Step input: this rank's rows times the number of ranks over the batch's rows (float32
  /// scalar; 1 when the batch splits evenly, 0 for a rank without rows).
  const Tensor& share() const { return share_; }
  /// Gradient buckets per step and the bytes this rank puts into their all-reduces.
  int num_buckets() const { return num_buckets_; }
  size_t bytes_per_step() const { return bytes_per_step_; }
  /// The variables set_replica_local found.
  const VariableList& replica_local() const { return replica_local_; }

  // ---- the loops' side ----
  /// This rank's rows of a global batch of `rows` rows (as even as it goes; possibly none).
  distributed::Shard rows_of(int64_t rows) const { return strategy_.shard_uneven(rows); }
  /// The share to feed for `mine` of a batch of `rows` rows.
  float share_of(const distributed::Shard& mine, int64_t rows) const;
  /// Sums `values` over the ranks, in place (double precision).
  void sum(std::vector<double>& values) const;
  /// Sets the replica-local variables to their mean over the ranks.
  void average_replica_local() const;

 private:
  distributed::Strategy strategy_;
  std::unique_ptr<distributed::CollectiveGroup> group_;
  Tensor row_offset_, share_;
  VariableList replica_local_;
  int num_buckets_ = 0;
  size_t bytes_per_step_ = 0;
};

/// At the start of fit() of a data-parallel model: checks that every rank has the same model
/// (config and weight shapes) and the same data and fit arguments (`fit_fingerprint`), a
/// ValueError on every rank naming what differs; then makes every rank's weights and optimizer
/// state rank 0's, and returns rank 0's `seed` (the shuffles' seed).
uint64_t begin_data_parallel_fit(Model& model, const DataParallelStep& dp,
                                 const std::string& fit_fingerprint, uint64_t seed);

/// `callbacks`, less those that only rank 0 runs (Callback::chief_only) on the other ranks.
std::vector<CallbackPtr> callbacks_for_rank(const std::vector<CallbackPtr>& callbacks,
                                            const DataParallelStep* dp);

}  // namespace detail
}  // namespace nabla
