// Plan: the compiled form of one Session::run signature (fetches, feeds and feed shapes).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "framework/backend/backend.h"
#include "framework/core/tensor.h"

namespace nabla {

class Node;
class Session;

/// What a Session builds once per (fetches, feeds, feed shapes) and then runs many times, as
/// ggml does: the subgraph the fetches need, pruned and in topological order, every shape
/// resolved, every intermediate buffer placed in one arena by lifetime, and one prepared kernel
/// call per op, with independent products marked to run side by side. Running it allocates
/// nothing.
///
/// Most code uses Session::run. The training loop uses a Plan directly: it writes batches
/// straight into feed_view() (or has the plan read them where they lie, read_feed_from()) and
/// reads results from fetch_view(), with no copies in between.
class Plan {
 public:
  ~Plan();
  Plan(const Plan&) = delete;
  Plan& operator=(const Plan&) = delete;

  /// Where feed i's value lives (device memory of the plan's device) between runs.
  const TensorView& feed_view(int i) const { return feeds_[i].view; }
  /// Copies `value` into feed i, checking its shape and dtype against the plan.
  void set_feed(int i, const Tensor& value);
  /// Makes the following runs read feed i straight from `data` instead of from feed_view(i),
  /// which saves copying a value that already lies as one block in the plan's device memory
  /// (a batch of a data set in its own order): a value of the feed's shape and dtype, kept
  /// alive and unchanged until those runs are done; kernels only read a feed. nullptr goes back
  /// to feed_view(i), as set_feed() and a session taking a leased plan back do. Returns false,
  /// changing nothing, for `data` not aligned to 64 bytes (as the plan's own buffers are) and
  /// where the plan's runner replays recorded launches (CUDA Graphs), which keep their addresses.
  bool read_feed_from(int i, const void* data);
  /// Runs every step once (with denormals flushed to zero).
  void run();
  /// Fetch i's value after run(); valid until the next run. Undefined view for no-output ops.
  const TensorView& fetch_view(int i) const { return fetches_[i]; }
  /// Fetch i copied into a new tensor on `device`.
  Tensor fetch(int i, Device device = Device::CPU) const;

  int num_feeds() const { return static_cast<int>(feeds_.size()); }
  int num_fetches() const { return static_cast<int>(fetches_.size()); }
  /// The nodes whose kernels run, in execution order.
  const std::vector<const Node*>& executed_nodes() const { return executed_; }
  /// Whether executed node i runs at the same time as node i + 1: two independent ops with flop
  /// counts (a layer's dW and dX products) that a CPU runs side by side, one thread each.
  bool beside_next(int i) const { return beside_next_[i] != 0; }
  /// Bytes of the intermediate-buffer arena.
  size_t arena_bytes() const { return arena_bytes_; }
  /// Bytes all intermediate buffers would take without reuse.
  size_t unplanned_bytes() const { return unplanned_bytes_; }
  /// Device the plan runs on.
  Device device() const { return device_; }
  /// False once a variable it reads moved (e.g. model.to(device)); the session then rebuilds it.
  bool still_valid() const;

 private:
  friend class PlanBuilder;
  Plan() = default;

  struct Feed {
    const Node* node;
    TensorView view;
    std::vector<int> step_inputs;  // where steps read it: indices into step_inputs_
    std::vector<int> fetches;      // where it is fetched itself: indices into fetches_
    const void* read_from;         // what those read now: view.data or read_feed_from's data
  };
  struct VariableBinding {
    std::shared_ptr<VariableState> variable;
    const void* data;
  };

  Device device_;
  Backend* backend_ = nullptr;
  std::shared_ptr<Storage> arena_;
  std::vector<std::shared_ptr<Storage>> constants_;  // constants copied to the device
  std::vector<Feed> feeds_;
  std::vector<TensorView> fetches_;
  std::vector<const Node*> fetch_nodes_;
  std::vector<TensorView> step_inputs_;  // all steps' input views, back to back
  std::vector<KernelArgs> steps_;
  std::vector<KernelFn> kernels_;
  std::vector<const Node*> executed_;
  std::vector<uint8_t> beside_next_;  // by step, see beside_next()
  std::vector<VariableBinding> variables_;
  std::unique_ptr<StepRunner> runner_;
  size_t arena_bytes_ = 0;
  size_t unplanned_bytes_ = 0;
};

/// Checks a value for placeholder `node`: ValueError unless it is a placeholder, TypeError for
/// another dtype, ShapeError for a shape its static shape does not admit. `what` prefixes the
/// value's shape in the message ("a tensor of " gives "got a tensor of shape (2, 4)").
void check_feed(const Node* node, DType dtype, const Shape& shape, const char* what = "");

/// Builds plans (used by Session).
class PlanBuilder {
 public:
  struct FeedSpec {
    const Node* placeholder;
    Shape shape;
    DType dtype;
  };
  /// Compiles the plan computing `fetches` from `feeds` on `device`. `counters` gives each random
  /// node its persistent run counter.
  static std::unique_ptr<Plan> build(const std::vector<const Node*>& fetches,
                                     const std::vector<FeedSpec>& feeds, Device device,
                                     const std::function<uint64_t*(const Node*)>& counters);
};

}  // namespace nabla
