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
#include "framework/runtime/plan.h"

namespace nabla {

/// Values for placeholders: {{x, batch}, {y, labels}}.
using FeedDict = std::vector<std::pair<Tensor, Tensor>>;

/// The runtime of a Graph, as in TensorFlow 1. `run(fetches, feeds)` executes only the subgraph
/// the fetches need, in topological order, with the placeholders fed. The first run of a
/// signature (fetches, fed placeholders, feed shapes and dtypes) compiles a Plan; later runs reuse
/// it. Variables keep their values across runs (they live in the variables themselves, so eager
/// code, other sessions and checkpoints see the same weights).
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

  /// The compiled plan for `fetches` with placeholders `fed` of the given shapes (built on first
  /// use). For loops that feed and fetch through the plan's buffers directly.
  Plan& plan(const TensorList& fetches, const std::vector<std::pair<Tensor, Shape>>& fed);

  /// How many plans this session has compiled (each signature once).
  int plans_built() const { return plans_built_; }

 private:
  Graph* graph_;
  Device device_;
  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<Plan>> plans_;
  std::unordered_map<const Node*, uint64_t> random_counters_;
  int plans_built_ = 0;
};

}  // namespace nabla
