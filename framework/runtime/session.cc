#include "framework/runtime/session.h"

#include "framework/graph/variable.h"
#include "framework/ops/op_def.h"
#include "framework/runtime/plan.h"

namespace nabla {
namespace {

const Node* node_of(const Tensor& t, const char* what) {
  if (!t.defined()) throw ValueError(std::string(what) + " is an undefined tensor");
  if (!t.is_symbolic())
    throw ValueError(std::string(what) + " must be a symbolic tensor of the session's graph, got " +
                     t.to_string());
  return t.node();
}

}  // namespace

Session::Session(Graph& graph, Device device) : graph_(&graph), device_(device) {
  backend_for(device);  // fails now, clearly, if the device is not there
}

Session::~Session() = default;

Session::PlanLease::PlanLease() = default;

Session::PlanLease::PlanLease(Session* session, std::vector<int64_t> key,
                              std::unique_ptr<Plan> plan)
    : session_(session), key_(std::move(key)), plan_(std::move(plan)) {}

Session::PlanLease::~PlanLease() {
  if (session_ && plan_) session_->give_back(key_, std::move(plan_));
}

Session::PlanLease::PlanLease(PlanLease&& o) noexcept
    : session_(o.session_), key_(std::move(o.key_)), plan_(std::move(o.plan_)) {
  o.session_ = nullptr;
}

Session::PlanLease& Session::PlanLease::operator=(PlanLease&& o) noexcept {
  if (this != &o) {
    PlanLease old(std::move(*this));
    session_ = o.session_;
    key_ = std::move(o.key_);
    plan_ = std::move(o.plan_);
    o.session_ = nullptr;
  }
  return *this;
}

void Session::give_back(const std::vector<int64_t>& key, std::unique_ptr<Plan> plan) {
  for (int i = 0; i < plan->num_feeds(); ++i) plan->read_feed_from(i, nullptr);
  std::lock_guard<std::mutex> lock(mutex_);
  idle_[key].push_back(std::move(plan));
}

void Session::initialize() {
  TensorList inits;
  for (const auto& n : graph_->nodes()) {
    if (n->kind() != NodeKind::Variable) continue;
    auto state = n->variable_state();
    if (state->home_graph != graph_ || !state->initial_value) continue;
    if (!state->storage)
      state->storage = Storage::allocate(device_, state->shape.numel() * dtype_size(state->dtype),
                                         "variable '" + state->name + "'");
    inits.push_back(Variable(state).initializer());
  }
  if (!inits.empty()) run(inits);
}

Session::PlanLease Session::acquire(const TensorList& fetches,
                                    const std::vector<std::pair<Tensor, Shape>>& fed) {
  std::vector<int64_t> key;
  key.reserve(fetches.size() + 4 * fed.size() + 1);
  for (const Tensor& f : fetches) {
    const Node* n = node_of(f, "a fetch");
    if (n->graph() != graph_)
      throw ValueError("fetch '" + n->name() + "' belongs to another graph than the session's");
    key.push_back(n->id());
  }
  key.push_back(-1);  // ids are >= 0: the fetches end here
  for (const auto& [t, shape] : fed) {
    key.push_back(node_of(t, "a feed key")->id());
    key.push_back(shape.rank());
    for (int d = 0; d < shape.rank(); ++d) key.push_back(shape[d]);
  }
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::unique_ptr<Plan>>& idle = idle_[key];
  while (!idle.empty()) {  // the common case: a plan of this signature is free
    std::unique_ptr<Plan> plan = std::move(idle.back());
    idle.pop_back();
    if (plan->still_valid()) return PlanLease(this, std::move(key), std::move(plan));
  }
  std::vector<const Node*> fetch_nodes;
  for (const Tensor& f : fetches) fetch_nodes.push_back(f.node());
  std::vector<PlanBuilder::FeedSpec> feed_specs;
  for (const auto& [t, shape] : fed) feed_specs.push_back({t.node(), shape, t.node()->dtype()});
  auto counter = [this](const Node* n) { return &random_counters_[n]; };
  auto plan = PlanBuilder::build(fetch_nodes, feed_specs, device_, counter);
  ++plans_built_;
  return PlanLease(this, std::move(key), std::move(plan));
}

Tensor Session::run(const Tensor& fetch, const FeedDict& feeds) {
  return run(TensorList{fetch}, feeds)[0];
}

TensorList Session::run(const TensorList& fetches, const FeedDict& feeds) {
  std::vector<std::pair<Tensor, Shape>> fed;
  for (const auto& [key, value] : feeds) {
    const Node* n = node_of(key, "a feed key");
    if (!value.is_eager())
      throw ValueError("the value fed to '" + n->name() + "' must be an eager tensor");
    check_feed(n, value.dtype(), value.shape(), "a tensor of ");
    fed.emplace_back(key, value.shape());
  }
  PlanLease p = acquire(fetches, fed);
  for (size_t i = 0; i < feeds.size(); ++i) p->set_feed(static_cast<int>(i), feeds[i].second);
  p->run();
  TensorList out;
  for (int i = 0; i < p->num_fetches(); ++i) out.push_back(p->fetch(i, Device::CPU));
  return out;
}

}  // namespace nabla
