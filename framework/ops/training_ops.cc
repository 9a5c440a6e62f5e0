// Fused optimizer updates: one pass over a variable and its slots per step.
#include "framework/ops/op_helpers.h"
#include "framework/ops/optimizer_math.h"

namespace nabla {

namespace {

// Slots each update op takes (beyond var, grad, lr, iterations), at most.
struct UpdateOp {
  const char* name;
  int max_slots;
};
constexpr UpdateOp kUpdateOps[] = {
    {"ApplySGD", 1}, {"ApplyAdam", 3}, {"ApplyRMSprop", 3}, {"ApplyAdagrad", 1}, {"ApplyNadam", 3},
};

TensorSpec infer_update(const InferContext& c) {
  using namespace optim;
  c.require_floating(kVar);
  const Shape& var = c.shape(kVar);
  if (c.dtype(kGrad) != c.dtype(kVar) || c.shape(kGrad) != var)
    c.fail("gradient " + c.shape(kGrad).to_string() + " " + dtype_name(c.dtype(kGrad)) +
           " does not match variable " + var.to_string() + " " + dtype_name(c.dtype(kVar)));
  if (c.shape(kLr).rank() != 0 || c.dtype(kLr) != c.dtype(kVar))
    c.fail("the learning rate must be a scalar of the variable's dtype (" +
           std::string(dtype_name(c.dtype(kVar))) + "), got " + c.shape(kLr).to_string() + " " +
           dtype_name(c.dtype(kLr)));
  if (c.shape(kIterations).rank() != 0 || c.dtype(kIterations) != DType::Int64)
    c.fail("the iteration count must be an int64 scalar, got " + c.shape(kIterations).to_string() +
           " " + dtype_name(c.dtype(kIterations)));
  for (int i = kSlot0; i < c.num_inputs(); ++i) {
    const bool scalar_ok = c.op == "ApplyNadam" && i == kSlot2;  // u_product
    if (c.dtype(i) != c.dtype(kVar) || (!scalar_ok && c.shape(i) != var))
      c.fail("slot " + std::to_string(i - kSlot0) + " " + c.shape(i).to_string() +
             " does not match variable " + var.to_string());
  }
  return op_helpers::no_output(c);
}

}  // namespace

void register_training_ops(OpRegistry& r) {
  for (const auto& op : kUpdateOps) {
    std::vector<int> mutated{optim::kVar};
    for (int s = 0; s < op.max_slots; ++s) mutated.push_back(optim::kSlot0 + s);
    if (std::string(op.name) == "ApplyNadam") mutated.pop_back();  // u_product is only read
    r.add({.name = op.name,
           .min_inputs = 4,
           .max_inputs = 4 + op.max_slots,
           .infer = infer_update,
           .has_output = false,
           .mutates = mutated});
  }
}

}  // namespace nabla
