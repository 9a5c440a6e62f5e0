#include "framework/ops/dispatch.h"

#include <atomic>

#include "framework/autodiff/gradient_tape.h"
#include "framework/backend/backend.h"
#include "framework/graph/graph.h"
#include "framework/graph/variable.h"
#include "framework/ops/op_def.h"

namespace nabla {
namespace {

std::atomic<uint64_t> eager_random_counter{0};

// The graph an op on `inputs` belongs to, or nullptr when it runs eagerly.
Graph* graph_of(const TensorList& inputs) {
  for (const Tensor& t : inputs) {
    if (!t.defined()) continue;
    if (t.is_symbolic()) return t.graph();
  }
  return nullptr;
}

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

}  // namespace

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

void reset_eager_random_counter() {
  eager_random_counter = 0;
}

namespace {
Tensor run_eager(const std::string& op, const TensorList& inputs, const Attrs& attrs,
                 const Tensor* into);
}

Tensor execute_eager(const std::string& op, const TensorList& inputs, const Attrs& attrs) {
  return run_eager(op, inputs, attrs, nullptr);
}

void execute_eager_into(const std::string& op, const TensorList& inputs, const Attrs& attrs,
                        const Tensor& out) {
  run_eager(op, inputs, attrs, &out);
}

namespace {
Tensor run_eager(const std::string& op, const TensorList& inputs, const Attrs& attrs,
                 const Tensor* into) {
  const OpDef& def = OpRegistry::global().get(op);
  check_arity(def, static_cast<int>(inputs.size()), op);
  std::vector<TensorSpec> specs;
  std::vector<TensorView> views;
  specs.reserve(inputs.size());
  views.reserve(inputs.size());
  Device device = Device::CPU;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& t = inputs[i];
    if (!t.is_eager())
      throw ValueError(op + ": input " + std::to_string(i) + " is not an eager tensor");
    if (i == 0) device = t.device();
    if (t.device() != device)
      throw ValueError(op + ": inputs are on different devices (" + device.to_string() + " and " +
                       t.device().to_string() + ")");
    specs.push_back({t.shape(), t.dtype()});
    views.push_back({t.raw_data(), t.shape(), t.dtype()});
  }
  for (int i : def.mutates)
    if (i < static_cast<int>(inputs.size()) && !inputs[i].variable())
      throw TypeError(op + ": input " + std::to_string(i) + " must be a variable");
  const TensorSpec out = def.infer ? def.infer(InferContext{op, op, specs, attrs}) : TensorSpec{};
  Tensor result;
  KernelArgs args;
  args.op = def.name.c_str();
  args.attrs = &attrs;
  args.inputs = views.data();
  args.num_inputs = static_cast<int>(views.size());
  if (def.has_output) {
    if (into) {
      if (into->shape() != out.shape || into->dtype() != out.dtype || into->device() != device)
        throw ShapeError(op + ": the result (" + out.shape.to_string() + " " +
                         dtype_name(out.dtype) + ") does not fit in place into a tensor of " +
                         into->shape().to_string() + " " + dtype_name(into->dtype()));
      result = *into;
    } else {
      result = Tensor::empty(out.shape, out.dtype, device);
    }
    args.output = {result.raw_data(), out.shape, out.dtype};
  }
  uint64_t counter = 0;
  if (def.random) {
    counter = eager_random_counter.fetch_add(1);
    args.counter = &counter;
  }
  Backend& backend = backend_for(device);
  args.context = backend.kernel_context();
  backend.kernel(op)(args);
  return result;
}
}  // namespace

Tensor apply_op(const std::string& op, TensorList inputs, const Attrs& attrs,
                const std::string& name) {
  resolve_weak_scalars(inputs);
  Graph* graph = graph_of(inputs);
  if (!graph && inputs.empty()) graph = &Graph::get_default();
  if (!graph && Graph::capturing())
    for (const Tensor& t : inputs)
      if (t.defined() && t.variable()) graph = Graph::capturing();
  if (graph) return graph->add_operation(op, inputs, attrs, name);
  Tensor out = execute_eager(op, inputs, attrs);
  GradientTape::record(op, attrs, inputs, out);
  return out;
}

}  // namespace nabla
