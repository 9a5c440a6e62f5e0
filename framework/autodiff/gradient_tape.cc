#include "framework/autodiff/gradient_tape.h"

#include <algorithm>
#include <map>

#include "framework/ops/dispatch.h"
#include "framework/ops/op_def.h"
#include "framework/ops/ops.h"

namespace nabla {
namespace {
thread_local std::vector<GradientTape*> active_tapes;

// apply_op reaches the tapes through its routes (ops know nothing of autodiff).
const bool routed = [] {
  op_routes().record = GradientTape::record;
  op_routes().tracked = GradientTape::any_tracks;
  return true;
}();
}  // namespace

GradientTape::GradientTape(bool persistent, bool watch_accessed_variables)
    : persistent_(persistent), watch_variables_(watch_accessed_variables) {
  active_tapes.push_back(this);
}

GradientTape::~GradientTape() {
  stop_recording();
}

void GradientTape::stop_recording() {
  if (!recording_) return;
  recording_ = false;
  active_tapes.erase(std::remove(active_tapes.begin(), active_tapes.end(), this),
                     active_tapes.end());
}

void GradientTape::watch(const Tensor& tensor) {
  if (!tensor.is_eager())
    throw ValueError("GradientTape::watch needs an eager tensor; use gradients() for graphs");
  if (!is_floating(tensor.dtype()))
    throw TypeError("GradientTape::watch: cannot differentiate with respect to a " +
                    std::string(dtype_name(tensor.dtype())) + " tensor");
  tracked_.insert(tensor.id());
  if (tensor.variable()) {
    Variable v(tensor.variable());
    if (std::find(variables_.begin(), variables_.end(), v) == variables_.end())
      variables_.push_back(v);
  }
}

void GradientTape::watch(const Variable& variable) {
  watch(variable.read());
}

void GradientTape::record(const OpDef& def, const Attrs& attrs, const TensorList& inputs,
                          const Tensor& output) {
  if (active_tapes.empty()) return;
  for (GradientTape* tape : std::vector<GradientTape*>(active_tapes))
    tape->maybe_record(def, attrs, inputs, output);
}

void GradientTape::maybe_record(const OpDef& def, const Attrs& attrs, const TensorList& inputs,
                                const Tensor& output) {
  if (!recording_ || !output.defined() || !is_floating(output.dtype())) return;
  bool watched = false;
  for (const Tensor& in : inputs) {
    if (watch_variables_ && in.variable() && in.variable()->trainable && !tracks(in)) watch(in);
    watched = watched || tracks(in);
  }
  if (!watched) return;
  if (!def.grad) return;  // nothing flows back through it
  entries_.push_back({&def, attrs, inputs, output});
  tracked_.insert(output.id());
}

VariableList GradientTape::watched_variables() const {
  return variables_;
}

bool GradientTape::any_tracks(const Tensor& tensor) {
  for (const GradientTape* tape : active_tapes)
    if (tape->tracks(tensor)) return true;
  return false;
}

Tensor GradientTape::gradient(const Tensor& target, const Tensor& source,
                              UnconnectedGradients unconnected) {
  return gradient(target, TensorList{source}, unconnected)[0];
}

TensorList GradientTape::gradient(const Tensor& target, const VariableList& sources,
                                  UnconnectedGradients unconnected) {
  return gradient(target, reads(sources), unconnected);
}

TensorList GradientTape::gradient(const Tensor& target, const TensorList& sources,
                                  UnconnectedGradients unconnected) {
  if (used_ && !persistent_)
    throw StateError(
        "a non-persistent GradientTape can compute gradients only once; make it with "
        "GradientTape(/*persistent=*/true) to call gradient() several times");
  used_ = true;
  if (!persistent_) stop_recording();
  if (!target.is_eager())
    throw ValueError("GradientTape::gradient needs an eager target; use gradients() for graphs");
  if (!is_floating(target.dtype()))
    throw TypeError("GradientTape::gradient: the target is " +
                    std::string(dtype_name(target.dtype())) + ", not a floating-point tensor");

  // The gradient computation itself is not recorded by this tape (it may be by outer ones).
  const bool was_recording = recording_;
  if (was_recording) stop_recording();

  std::map<uint64_t, TensorList> partials;  // gradient contributions not yet summed
  std::map<uint64_t, Tensor> summed;        // gradients of recorded outputs, once complete
  partials[target.id()].push_back(ones_like(target));
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
    auto p = partials.find(it->output.id());
    if (p == partials.end()) continue;
    const Tensor grad = add_n(p->second);
    partials.erase(p);
    summed[it->output.id()] = grad;
    const TensorList in_grads = it->def->grad(GradContext{it->attrs, it->inputs, it->output, grad});
    for (size_t i = 0; i < it->inputs.size() && i < in_grads.size(); ++i) {
      const Tensor& in = it->inputs[i];
      if (!in_grads[i].defined() || !tracks(in) || !is_floating(in.dtype())) continue;
      partials[in.id()].push_back(in_grads[i]);
    }
  }

  TensorList out;
  for (const Tensor& s : sources) {
    if (!s.defined()) throw ValueError("GradientTape::gradient: an undefined source");
    if (auto d = summed.find(s.id()); d != summed.end()) {
      out.push_back(d->second);
    } else if (auto p = partials.find(s.id()); p != partials.end()) {
      out.push_back(add_n(p->second));
    } else {
      out.push_back(unconnected == UnconnectedGradients::Zero ? zeros_like(s) : Tensor());
    }
  }
  if (was_recording) {
    recording_ = true;
    active_tapes.push_back(this);
  }
  return out;
}

}  // namespace nabla
