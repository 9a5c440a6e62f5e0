// Session: runs the parts of a graph that requested fetches need.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "framework/core/tensor.h"
#include "framework/graph/graph.h"

namespace nabla {

class Plan;

/// Values for placeholders: {{x, batch}, {y, labels}}.
using FeedDict = std::vector<std::pair<Tensor, Tensor>>;

/// The runtime of a Graph, as in TensorFlow 1. `run(fetches, feeds)` executes only the subgraph
/// the fetches need, in topological order, with the placeholders fed. The first run of a
/// signature (fetches, fed placeholders, feed shapes and dtypes) compiles a Plan; later runs reuse
/// it. Variables keep their values across runs (they live in the variables themselves, so eager
/// code, other sessions and checkpoints see the same weights).
///
/// Thread safety: run() may be called from several threads at once; concurrent runs of one
/// signature use separate plan instances. Runs that update the same variables at the same time
/// (two training steps) race on those variables, as in TensorFlow.
///
///     Session sess(g);
///     sess.initialize();
///     Tensor loss_value = sess.run(loss, {{x, batch_x}, {y, batch_y}});
class Session {
 public:
  /// A session of `graph` whose kernels run on `device`.
  explicit Session(Graph& graph = Graph::get_default(), Device device = Device::CPU);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  Graph& graph() const { return *graph_; }
  Device device() const { return device_; }

  /// Sets every variable of the graph (made with Graph::variable) to its initial value, as
  /// running tf.global_variables_initializer() does.
  void initialize();

  /// Computes one fetch. The result is an eager tensor on the CPU; fetching an op without an
  /// output (an update) runs it and returns an undefined tensor.
  Tensor run(const Tensor& fetch, const FeedDict& feeds = {});
  /// Computes several fetches in one pass.
  TensorList run(const TensorList& fetches, const FeedDict& feeds = {});

  /// A compiled plan (framework/runtime/plan.h) held for exclusive use while the lease lives,
  /// then handed back for reuse.
  /// Callers that hold leases of one signature at the same time get separate instances of the
  /// plan (each with its own buffers), so loops on several threads never share buffers.
  class PlanLease {
   public:
    /// An empty lease (valid() is false). Out of line, as every special member: Plan is only
    /// declared here.
    PlanLease();
    ~PlanLease();
    PlanLease(PlanLease&& o) noexcept;
    PlanLease& operator=(PlanLease&& o) noexcept;
    PlanLease(const PlanLease&) = delete;
    PlanLease& operator=(const PlanLease&) = delete;
    Plan& operator*() const { return *plan_; }
    Plan* operator->() const { return plan_.get(); }
    bool valid() const { return plan_ != nullptr; }

   private:
    friend class Session;
    PlanLease(Session* session, std::vector<int64_t> key, std::unique_ptr<Plan> plan);
    Session* session_ = nullptr;
    std::vector<int64_t> key_;
    std::unique_ptr<Plan> plan_;
  };

  /// A plan for `fetches` with placeholders `fed` of the given shapes: an idle instance of that
  /// signature, or a newly compiled one. For loops that feed and fetch through the plan's buffers
  /// directly.
  PlanLease acquire(const TensorList& fetches, const std::vector<std::pair<Tensor, Shape>>& fed);

  /// How many plan instances this session has compiled (one per signature, unless several
  /// threads ran one signature at the same time).
  int plans_built() const { return plans_built_; }

 private:
  Graph* graph_;
  Device device_;
  std::mutex mutex_;
  void give_back(const std::vector<int64_t>& key, std::unique_ptr<Plan> plan);
  // Idle plans by signature: the fetches' node ids, then each feed's node id, rank and shape.
  std::map<std::vector<int64_t>, std::vector<std::unique_ptr<Plan>>> idle_;
  std::unordered_map<const Node*, uint64_t> random_counters_;
  int plans_built_ = 0;
};

}  // namespace nabla
