// Strategy: how a model trains across devices and processes, in the spirit of tf.distribute.
// `distributed::MultiWorker()` trains data-parallel over every rank of an MPI job; the default
// (`SingleDevice()`) trains in this process alone.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "framework/core/device.h"
#include "framework/core/options.h"
#include "framework/distributed/bucketed_all_reduce.h"
#include "framework/distributed/communicator.h"
#include "framework/graph/variable.h"

namespace nabla::distributed {

/// Options of MultiWorker().
struct MultiWorkerOptions {
  /// Target bytes of one gradient bucket (NABLA_BUCKET_BYTES, or 4 MiB; 0 means that default).
  NABLA_ARG(size_t, bucket_bytes) = 0;
  /// Size the thread pool to this rank's share of the machine's cores when NABLA_NUM_THREADS is
  /// unset and the launcher did not bind the rank to fewer cores (ranks on one machine would
  /// otherwise each start a thread per core and slow each other down).
  NABLA_ARG(bool, share_cores) = true;
};

/// Rows [begin, begin + count) of a batch, the part one rank computes.
struct Shard {
  int64_t begin = 0;
  int64_t count = 0;
};

/// What fit(), evaluate() and custom loops need to train data-parallel: this rank's part of each
/// batch, the sums of statistics over ranks, identical starting weights, consistency checks and
/// the gradient all-reduce. A cheap handle (copies share the communicator).
class Strategy {
 public:
  /// One process, no communication (the same as SingleDevice()).
  Strategy();
  /// A strategy over `communicator` (MultiWorker() passes world(); tests pass their own).
  explicit Strategy(std::shared_ptr<Communicator> communicator, size_t bucket_bytes = 0);

  /// The communicator the strategy's collectives go through.
  Communicator& communicator() const { return *comm_; }
  /// True with more than one rank.
  bool is_distributed() const { return comm_->size() > 1; }
  /// This process's rank, its number of ranks, and its index among the ranks of its machine.
  int rank() const { return comm_->rank(); }
  int world_size() const { return comm_->size(); }
  int local_rank() const { return comm_->local_rank(); }
  /// True on rank 0: it prints the progress bar and writes checkpoints, history and metrics.
  bool is_chief() const { return comm_->rank() == 0; }
  /// "MultiWorker (mpi, rank 1 of 4)", or "single process" in a world of one, for logs.
  std::string name() const;
  /// Target bytes of one gradient bucket.
  size_t bucket_bytes() const { return bucket_bytes_; }

  /// This rank's rows of a global batch of `global_batch` rows: global_batch / world_size()
  /// consecutive rows, rank r from r * that on. A global batch that does not divide evenly is a
  /// ValueError naming `what` (the option it came from) and the nearest sizes that do.
  Shard shard(int64_t global_batch, const std::string& what = "batch_size") const;
  /// This rank's rows of `rows` rows split as evenly as possible (the first rows % world_size()
  /// ranks get one more; a rank may get none): the last, partial batch of an epoch and
  /// evaluation. A rank's gradient then weighs count / rows in the global mean.
  Shard shard_uneven(int64_t rows) const;

  /// Sums `n` statistics over all ranks in place (loss sums, sample counts, metric
  /// accumulators: confusion counts, AUC's histograms), so every rank ends an epoch with the
  /// statistics of the whole data.
  void all_reduce_stats(float* data, size_t n) const;
  void all_reduce_stats(double* data, size_t n) const;
  void all_reduce_stats(int64_t* data, size_t n) const;
  /// True on every rank when `flag` is true on any rank: for decisions that must be the same
  /// everywhere (stop training, a NaN seen in one shard), so no rank leaves the others waiting.
  bool any_rank(bool flag) const;
  /// Sets every variable to rank `root`'s value.
  void broadcast_variables(const VariableList& variables, int root = 0) const;
  /// Sets every variable to its mean over the ranks: statistics each rank keeps for itself
  /// (BatchNormalization's moving averages), before they are read for evaluation or saved, as
  /// Keras aggregates such variables on read.
  void average_variables(const VariableList& variables) const;
  /// Checks that `fingerprint` (a config, the weights' shapes) is the same on every rank: it
  /// hashes it, gathers the hashes and, where they differ, throws ValueError on every rank
  /// naming `what` and the ranks that differ from rank 0.
  void check_same_on_all_ranks(const std::string& what, const std::string& fingerprint) const;

  /// The device this rank trains on when `requested` was asked for: the CPU for the CPU; for a
  /// GPU while distributed, the GPU of this rank's local rank (modulo the GPUs CUDA_VISIBLE_DEVICES
  /// lists, when it lists some); `requested` otherwise.
  Device device_for(Device requested) const;
  /// The gradient all-reduce of a training step over `buffers` (see BucketedAllReduce), with
  /// this strategy's bucket size, averaging; NCCL for device buffers where the build has it.
  std::unique_ptr<BucketedAllReduce> make_gradient_reducer(std::vector<GradientBuffer> buffers,
                                                           Device device = Device::CPU) const;

 private:
  std::shared_ptr<Communicator> comm_;
  size_t bucket_bytes_;
};

/// Data-parallel training over every rank of the MPI job this process belongs to (a world of one
/// when started without mpirun). Throws StateError in a build without MPI, saying how to get one.
Strategy MultiWorker(const MultiWorkerOptions& options = {});
/// Training in this process alone (the default).
Strategy SingleDevice();

/// A 16-hex-digit hash of `text` (64-bit FNV-1a): the same on every machine and run.
std::string fingerprint(const std::string& text);
/// The names, dtypes and shapes of `variables`, one per line ("dense/kernel:0 float32 (4, 16)"),
/// to check that every rank built the same model.
std::string describe_shapes(const VariableList& variables);

}  // namespace nabla::distributed
