#include "framework/ops/dispatch.h"

#include "framework/core/errors.h"

namespace nabla {
namespace {

// Literals take the dtype of the first strongly typed input.
void resolve_weak_scalars(TensorList& inputs) {
  const Tensor* strong = nullptr;
  for (const Tensor& t : inputs)
    if (t.defined() && !t.is_weak()) {
      strong = &t;
      break;
    }
  if (!strong) return;
  const DType dtype = strong->dtype();
  const Device device = strong->is_eager() ? strong->device() : Device::CPU;
  for (Tensor& t : inputs)
    if (t.defined() && t.is_weak()) t = Tensor::scalar(t.literal_value(), dtype).to(device);
}

const OpRoutes& routes() {
  const OpRoutes& r = op_routes();
  if (!r.build || !r.run || !r.record)
    throw StateError(
        "nabla's engine is not set up yet (an op was applied during static "
        "initialization, before the graph, the eager runner or the tape loaded)");
  return r;
}

}  // namespace

OpRoutes& op_routes() {
  static OpRoutes r;
  return r;
}

void check_arity(const OpDef& def, int count, const std::string& node_name) {
  if (count < def.min_inputs || (def.max_inputs >= 0 && count > def.max_inputs)) {
    std::string want =
        def.max_inputs < 0 ? "at least " + std::to_string(def.min_inputs)
        : def.min_inputs == def.max_inputs
            ? std::to_string(def.min_inputs)
            : std::to_string(def.min_inputs) + " to " + std::to_string(def.max_inputs);
    throw ValueError(def.name + " '" + node_name + "' takes " + want + " inputs, got " +
                     std::to_string(count));
  }
}

Tensor execute_eager(OpId op, const TensorList& inputs, const Attrs& attrs) {
  return routes().run(op.def(), inputs, attrs, nullptr);
}

void execute_eager_into(OpId op, const TensorList& inputs, const Attrs& attrs, const Tensor& out) {
  routes().run(op.def(), inputs, attrs, &out);
}

Tensor apply_op(OpId op, TensorList inputs, const Attrs& attrs, const std::string& name) {
  const OpRoutes& r = routes();
  const OpDef& def = op.def();
  resolve_weak_scalars(inputs);
  Tensor node = r.build(def, inputs, attrs, name);
  if (node.defined()) return node;
  Tensor out = r.run(def, inputs, attrs, nullptr);
  r.record(def, attrs, inputs, out);
  return out;
}

Tensor apply_op(const std::string& op, TensorList inputs, const Attrs& attrs,
                const std::string& name) {
  return apply_op(OpRegistry::global().get(op).id, std::move(inputs), attrs, name);
}

}  // namespace nabla
