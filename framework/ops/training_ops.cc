// Fused optimizer updates: one pass over a variable and its slots per step.
#include "framework/ops/op_helpers.h"
#include "framework/ops/optimizer_math.h"

namespace nabla {

namespace {

template <class Rule>
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
    const bool scalar_ok = i - kSlot0 == Rule::kScalarSlot;
    if (c.dtype(i) != c.dtype(kVar) || (!scalar_ok && c.shape(i) != var))
      c.fail("slot " + std::to_string(i - kSlot0) + " " + c.shape(i).to_string() +
             " does not match variable " + var.to_string());
  }
  return op_helpers::no_output(c);
}

// One op per rule of optimizer_math.h: the variable and its per-element slots are updated in
// place; a rule's scalar slot (Nadam's momentum product) is only read.
template <class Rule>
void define_update(OpRegistry& r, OpId id) {
  std::vector<int> mutated{optim::kVar};
  for (int s = 0; s < Rule::kSlots; ++s)
    if (s != Rule::kScalarSlot) mutated.push_back(optim::kSlot0 + s);
  r.define(id, {.min_inputs = 4,
                .max_inputs = 4 + Rule::kSlots,
                .infer = infer_update<Rule>,
                .has_output = false,
                .mutates = mutated});
}

}  // namespace

void register_training_ops(OpRegistry& r) {
#define NABLA_UPDATE_DEF(Name, Rule) define_update<optim::Rule>(r, op::Name);
  NABLA_OPTIMIZER_RULES(NABLA_UPDATE_DEF)
#undef NABLA_UPDATE_DEF
}

}  // namespace nabla
