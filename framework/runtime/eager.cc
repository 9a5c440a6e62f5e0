// The eager runner: apply_op's route for calls on eager tensors. It checks the inputs, infers
// the output, allocates it (or writes into a given tensor) and calls the device's kernel.
#include "framework/backend/backend.h"
#include "framework/core/errors.h"
#include "framework/core/random.h"
#include "framework/ops/dispatch.h"

namespace nabla {
namespace {

Tensor run_eager(const OpDef& def, const TensorList& inputs, const Attrs& attrs,
                 const Tensor* into) {
  const std::string& op = def.name;
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
  const TensorSpec out =
      def.infer ? def.infer(InferContext{def.id, op, specs, attrs}) : TensorSpec{};
  Tensor result;
  KernelArgs args;
  args.op = def.id;
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
    counter = next_eager_random_count();
    args.counter = &counter;
  }
  Backend& backend = backend_for(device);
  args.context = backend.kernel_context();
  backend.prepare(args);
  backend.kernel(def.id)(args);
  return result;
}

const bool routed = [] {
  op_routes().run = run_eager;
  return true;
}();

}  // namespace
}  // namespace nabla
