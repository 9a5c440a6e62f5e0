#include "framework/runtime/plan.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "framework/graph/graph.h"
#include "framework/graph/variable.h"
#include "framework/ops/op_def.h"
#include "framework/runtime/memory_planner.h"
#include "framework/runtime/thread_pool.h"

namespace nabla {
namespace {

std::string describe(const Node* n) {
  return n->op() + " '" + n->name() + "'";
}

size_t checked_bytes(const Shape& shape, DType dtype, const Node* node) {
  const int64_t n = shape.numel();  // throws OutOfMemoryError on overflow
  if (n > static_cast<int64_t>(SIZE_MAX / 8 / dtype_size(dtype)))
    throw OutOfMemoryError("out of memory: " + describe(node) + " of shape " + shape.to_string() +
                           " is too large to allocate");
  return static_cast<size_t>(n) * dtype_size(dtype);
}

// Every node the fetches need: inputs and control inputs, transitively, stopping at feeds.
std::vector<const Node*> needed_nodes(const std::vector<const Node*>& fetches,
                                      const std::set<const Node*>& fed) {
  std::set<const Node*> seen;
  std::vector<const Node*> stack(fetches.begin(), fetches.end()), out;
  while (!stack.empty()) {
    const Node* n = stack.back();
    stack.pop_back();
    if (!seen.insert(n).second) continue;
    out.push_back(n);
    if (fed.count(n)) continue;
    for (const Node* in : n->inputs()) stack.push_back(in);
    for (const Node* in : n->control_inputs()) stack.push_back(in);
  }
  return out;
}

bool mutates_input(const Node* n, int i) {
  const auto& m = n->def().mutates;
  return std::find(m.begin(), m.end(), i) != m.end();
}

// Topological order of `nodes` (among the ready ones, ops marked schedule_early first, then the
// smallest id, so plans are deterministic; after an op with a flop count, another ready one, so
// that the two can run side by side). Besides data and control edges, every read of a variable
// runs before any op that updates it in the same run: gradients see the weights the forward pass
// used.
std::vector<const Node*> schedule(const std::vector<const Node*>& nodes,
                                  const std::set<const Node*>& fed) {
  std::set<const Node*> in_plan(nodes.begin(), nodes.end());
  std::map<const Node*, std::vector<const Node*>> successors;
  std::map<const Node*, int> pending;
  for (const Node* n : nodes) pending[n] = 0;
  auto edge = [&](const Node* from, const Node* to) {
    successors[from].push_back(to);
    ++pending[to];
  };
  std::map<const Node*, std::vector<const Node*>> readers, writers;  // by variable node
  for (const Node* n : nodes) {
    if (fed.count(n)) continue;
    for (size_t i = 0; i < n->inputs().size(); ++i) {
      const Node* in = n->inputs()[i];
      edge(in, n);
      if (in->kind() == NodeKind::Variable)
        (mutates_input(n, static_cast<int>(i)) ? writers : readers)[in].push_back(n);
    }
    for (const Node* c : n->control_inputs()) edge(c, n);
  }
  for (auto& [var, ws] : writers) {
    // An op updating the same variable through two inputs is one writer, not two.
    std::sort(ws.begin(), ws.end(), [](auto a, auto b) { return a->id() < b->id(); });
    ws.erase(std::unique(ws.begin(), ws.end()), ws.end());
    for (const Node* w : ws)
      for (const Node* r : readers[var])
        if (r != w && std::find(ws.begin(), ws.end(), r) == ws.end()) edge(r, w);
    for (size_t i = 1; i < ws.size(); ++i) edge(ws[i - 1], ws[i]);  // writers in creation order
  }
  auto before = [](const Node* a, const Node* b) {
    const bool early_a = a->def().schedule_early, early_b = b->def().schedule_early;
    if (early_a != early_b) return early_a;
    return a->id() < b->id();
  };
  auto has_flops = [](const Node* n) { return static_cast<bool>(n->def().flops); };
  std::set<const Node*, decltype(before)> ready(before);
  for (const Node* n : nodes)
    if (pending[n] == 0) ready.insert(n);
  std::vector<const Node*> order;
  while (!ready.empty()) {
    auto next = ready.begin();
    if (!order.empty() && has_flops(order.back()) && !(*next)->def().schedule_early) {
      auto partner = std::find_if(ready.begin(), ready.end(), has_flops);
      if (partner != ready.end()) next = partner;
    }
    const Node* n = *next;
    ready.erase(next);
    order.push_back(n);
    for (const Node* s : successors[n])
      if (--pending[s] == 0) ready.insert(s);
  }
  if (order.size() != nodes.size()) {
    for (const Node* n : nodes)
      if (pending[n] > 0)
        throw StateError("the graph has a cycle of dependencies through " + describe(n) +
                         " (control inputs that contradict variable read/update order?)");
  }
  return order;
}

// Whether step `b`, right after step `a`, may run at the same time as `a`, one thread each:
// both have flop counts (compute-bound kernels that otherwise split over the threads) within a
// factor of two of each other and large enough to pay for handing one to another thread (a
// few microseconds of work: the CPU's products split from the same size), neither updates
// anything, and `b` does not use `a`'s output.
bool side_by_side(const Node* a, const Node* b,
                  const std::unordered_map<const Node*, TensorSpec>& spec) {
  if (!a->def().flops || !b->def().flops) return false;
  if (!a->def().mutates.empty() || !b->def().mutates.empty()) return false;
  for (const Node* in : b->inputs())
    if (in == a) return false;
  for (const Node* in : b->control_inputs())
    if (in == a) return false;
  auto flops = [&](const Node* n) {
    std::vector<TensorSpec> in_specs;
    for (const Node* in : n->inputs()) in_specs.push_back(spec.at(in));
    return n->def().flops(InferContext{n->op_id(), n->name(), in_specs, n->attrs()});
  };
  constexpr double kMinFlops = 2e5;
  const double fa = flops(a), fb = flops(b);
  return fa >= kMinFlops && fb >= kMinFlops && fa <= 2 * fb && fb <= 2 * fa;
}

}  // namespace

void check_feed(const Node* node, DType dtype, const Shape& shape, const char* what) {
  if (node->kind() != NodeKind::Placeholder)
    throw ValueError("only placeholders can be fed, but '" + node->name() + "' is a " + node->op());
  if (dtype != node->dtype())
    throw TypeError("placeholder '" + node->name() + "' expects " + dtype_name(node->dtype()) +
                    ", got " + what + dtype_name(dtype));
  if (!shape_matches(node->shape(), shape))
    throw ShapeError("placeholder '" + node->name() + "' expects shape " +
                     node->shape().to_string() + ", got " + what + "shape " + shape.to_string());
}

Plan::~Plan() = default;

bool Plan::still_valid() const {
  for (const auto& b : variables_)
    if (!b.variable->storage || b.variable->storage->data() != b.data) return false;
  return true;
}

void Plan::set_feed(int i, const Tensor& value) {
  const Feed& f = feeds_[i];
  check_feed(f.node, value.dtype(), value.shape());
  if (value.shape() != f.view.shape)
    throw ShapeError("placeholder '" + f.node->name() + "': this plan was compiled for shape " +
                     f.view.shape.to_string() + ", got " + value.shape().to_string());
  copy_bytes(f.view.data, device_, value.raw_data(), value.device(), value.storage()->bytes());
  read_feed_from(i, nullptr);
}

bool Plan::read_feed_from(int i, const void* data) {
  Feed& f = feeds_[i];
  if (data && (reinterpret_cast<uintptr_t>(data) % 64 != 0 || !runner_->follows_addresses()))
    return false;
  // Kernels take inputs through non-const views but never write to a placeholder's buffer.
  void* address = data ? const_cast<void*>(data) : f.view.data;
  if (address == f.read_from) return true;
  f.read_from = address;
  for (int k : f.step_inputs) step_inputs_[k].data = address;
  for (int k : f.fetches) fetches_[k].data = address;
  return true;
}

void Plan::run() {
  ScopedFlushDenormals flush;
  runner_->run(steps_, kernels_, beside_next_);
}

Tensor Plan::fetch(int i, Device device) const {
  const TensorView& v = fetches_[i];
  if (!v.data) return Tensor();
  Tensor out = Tensor::empty(v.shape, v.dtype, device);
  copy_bytes(out.raw_data(), device, v.data, device_,
             static_cast<size_t>(v.numel()) * dtype_size(v.dtype));
  return out;
}

std::unique_ptr<Plan> PlanBuilder::build(const std::vector<const Node*>& fetches,
                                         const std::vector<FeedSpec>& feeds, Device device,
                                         const std::function<uint64_t*(const Node*)>& counters) {
  std::unique_ptr<Plan> plan(new Plan());
  plan->device_ = device;
  plan->backend_ = &backend_for(device);
  Backend& backend = *plan->backend_;

  std::set<const Node*> fed;
  std::map<const Node*, const FeedSpec*> feed_of;
  for (const FeedSpec& f : feeds) {
    check_feed(f.placeholder, f.dtype, f.shape);
    if (!fed.insert(f.placeholder).second)
      throw ValueError("placeholder '" + f.placeholder->name() + "' is fed twice");
    feed_of[f.placeholder] = &f;
  }

  std::vector<const Node*> roots = fetches;
  roots.insert(roots.end(), fed.begin(),
               fed.end());  // fed but unused placeholders still get a buffer
  const std::vector<const Node*> needed = needed_nodes(roots, fed);
  for (const Node* n : needed) {
    if (n->kind() != NodeKind::Placeholder || fed.count(n)) continue;
    std::string user;
    for (const Node* m : needed)
      for (const Node* in : m->inputs())
        if (in == n && user.empty()) user = " (needed by " + describe(m) + ")";
    throw ValueError("placeholder '" + n->name() + "' of shape " + n->shape().to_string() +
                     " and " + dtype_name(n->dtype()) + " must be fed" + user);
  }
  const std::vector<const Node*> order = schedule(needed, fed);

  // Buffers. Each node's output is a "logical buffer"; aliasing ops share their input's.
  struct Buffer {
    size_t bytes = 0;
    int first = 0, last = 0;
    bool in_arena = true;
    void* external = nullptr;  // variables and constants
  };
  std::vector<Buffer> buffers;
  std::unordered_map<const Node*, int> buffer_of;
  std::unordered_map<const Node*, TensorSpec> spec;
  const int end_of_plan = static_cast<int>(order.size());
  // Buffer lifetimes are in positions of `order`, except that a step run beside the step before
  // it takes that step's position: the two are alive at once, so their buffers must not overlap.
  const Node* last_step = nullptr;
  int last_step_pos = 0;
  bool last_step_paired = false;

  for (int pos_in_order = 0; pos_in_order < static_cast<int>(order.size()); ++pos_in_order) {
    const Node* n = order[pos_in_order];
    int pos = pos_in_order;
    TensorSpec s;
    if (n->kind() == NodeKind::Placeholder) {
      s = {feed_of.at(n)->shape, n->dtype()};
    } else if (n->kind() == NodeKind::Constant) {
      const Tensor& v = static_cast<const Constant*>(n)->value();
      s = {v.shape(), v.dtype()};
    } else if (n->kind() == NodeKind::Variable) {
      auto state = n->variable_state();
      s = {state->shape, state->dtype};
    } else {
      std::vector<TensorSpec> in_specs;
      for (const Node* in : n->inputs()) in_specs.push_back(spec.at(in));
      s = n->def().infer ? n->def().infer(InferContext{n->op_id(), n->name(), in_specs, n->attrs()})
                         : TensorSpec{};
      if (n->has_output() && !s.shape.is_fully_defined())
        throw ShapeError(describe(n) + ": output shape " + s.shape.to_string() +
                         " is still unknown when the graph runs");
      if (n->has_output() && !shape_matches(n->shape(), s.shape))
        throw ShapeError(describe(n) + ": run-time shape " + s.shape.to_string() +
                         " does not match its static shape " + n->shape().to_string());
    }
    spec[n] = s;
    if (n->kind() == NodeKind::Operation) {
      const bool paired = last_step && !last_step_paired && side_by_side(last_step, n, spec);
      if (paired) pos = last_step_pos;
      plan->beside_next_.push_back(0);
      if (paired) plan->beside_next_[plan->beside_next_.size() - 2] = 1;
      last_step = n;
      last_step_pos = pos;
      last_step_paired = paired;
    }
    // Inputs extend the lifetime of their buffers, also into ops without an output (an update
    // must still find its gradient intact).
    for (const Node* in : n->inputs()) {
      auto it = buffer_of.find(in);
      if (it != buffer_of.end()) buffers[it->second].last = std::max(buffers[it->second].last, pos);
    }
    if (!n->has_output() && n->kind() == NodeKind::Operation) continue;
    if (n->kind() == NodeKind::Variable) {
      auto state = n->variable_state();
      if (!state->storage)
        throw StateError("variable '" + state->name +
                         "' is used before it is initialised: run session.initialize() or its "
                         "initializer() op first");
      if (state->storage->device() != device) Variable(state).to(device);
      buffer_of[n] = static_cast<int>(buffers.size());
      buffers.push_back({0, pos, pos, false, state->storage->data()});
      plan->variables_.push_back({state, state->storage->data()});
      continue;
    }
    if (n->kind() == NodeKind::Constant) {
      Tensor v = static_cast<const Constant*>(n)->value().to(device);
      plan->constants_.push_back(v.storage());
      buffer_of[n] = static_cast<int>(buffers.size());
      buffers.push_back({0, pos, pos, false, v.raw_data()});
      continue;
    }
    const size_t bytes = checked_bytes(s.shape, s.dtype, n);
    const Node* in0 = n->inputs().empty() ? nullptr : n->inputs()[0];
    const bool alias = n->def().aliases_input && in0 && in0->kind() == NodeKind::Operation &&
                       buffer_of.count(in0) && buffers[buffer_of[in0]].in_arena;
    if (alias) {
      buffer_of[n] = buffer_of[in0];
    } else {
      buffer_of[n] = static_cast<int>(buffers.size());
      buffers.push_back({bytes, n->kind() == NodeKind::Placeholder ? -1 : pos, pos, true, nullptr});
    }
  }
  for (const Node* f : fetches)
    if (buffer_of.count(f)) buffers[buffer_of[f]].last = end_of_plan;

  // Place arena buffers.
  std::vector<BufferLifetime> lifetimes;
  std::vector<int> arena_index;
  for (size_t b = 0; b < buffers.size(); ++b)
    if (buffers[b].in_arena) {
      lifetimes.push_back({buffers[b].bytes, buffers[b].first, buffers[b].last});
      arena_index.push_back(static_cast<int>(b));
      plan->unplanned_bytes_ += buffers[b].bytes;
    }
  size_t arena_bytes = 0;
  const std::vector<size_t> offsets = plan_offsets(lifetimes, &arena_bytes);
  plan->arena_bytes_ = arena_bytes;
  plan->arena_ = Storage::allocate(
      device, arena_bytes,
      "the intermediate buffers of a plan (" + std::to_string(order.size()) + " nodes)");
  char* base = static_cast<char*>(plan->arena_->data());
  std::vector<void*> address(buffers.size());
  for (size_t b = 0; b < buffers.size(); ++b) address[b] = buffers[b].external;
  for (size_t i = 0; i < arena_index.size(); ++i) address[arena_index[i]] = base + offsets[i];

  auto view_of = [&](const Node* n) {
    const TensorSpec& s = spec.at(n);
    return TensorView{address[buffer_of.at(n)], s.shape, s.dtype};
  };

  // Steps.
  size_t total_inputs = 0;
  for (const Node* n : order)
    if (n->kind() == NodeKind::Operation) total_inputs += n->inputs().size();
  plan->step_inputs_.reserve(total_inputs);  // views must not move once steps point at them
  void* context = backend.kernel_context();
  // Where each placeholder is read (by node: after its last read the arena may put another
  // buffer at the same address).
  std::unordered_map<const Node*, std::vector<int>> placeholder_reads;
  for (const Node* n : order) {
    if (n->kind() != NodeKind::Operation) continue;
    KernelArgs args;
    args.op = n->op_id();
    args.node_name = &n->name();
    args.attrs = &n->attrs();
    args.inputs = plan->step_inputs_.data() + plan->step_inputs_.size();
    args.num_inputs = static_cast<int>(n->inputs().size());
    for (const Node* in : n->inputs()) {
      if (in->kind() == NodeKind::Placeholder)
        placeholder_reads[in].push_back(static_cast<int>(plan->step_inputs_.size()));
      plan->step_inputs_.push_back(view_of(in));
    }
    if (n->has_output()) args.output = view_of(n);
    if (n->def().random) args.counter = counters(n);
    args.context = context;
    backend.prepare(args);
    plan->kernels_.push_back(backend.kernel(n->op_id()));
    plan->steps_.push_back(args);
    plan->executed_.push_back(n);
  }
  for (const Node* f : fetches) {
    plan->fetch_nodes_.push_back(f);
    plan->fetches_.push_back(buffer_of.count(f) ? view_of(f) : TensorView{});
  }
  for (const FeedSpec& f : feeds) {
    Plan::Feed feed{
        f.placeholder, view_of(f.placeholder), placeholder_reads[f.placeholder], {}, nullptr};
    feed.read_from = feed.view.data;
    for (size_t k = 0; k < fetches.size(); ++k)
      if (fetches[k] == f.placeholder) feed.fetches.push_back(static_cast<int>(k));
    plan->feeds_.push_back(std::move(feed));
  }
  plan->runner_ = backend.make_step_runner();
  return plan;
}

}  // namespace nabla
