// In-place arithmetic on tensors (+=, -=, *=, /=).
#include "framework/core/errors.h"
#include "framework/ops/dispatch.h"
#include "framework/ops/ops.h"

namespace nabla {
namespace {

Tensor& in_place(Tensor& self, OpId op, const Tensor& other) {
  if (!self.defined() || !other.defined()) throw ValueError(op.name() + "= on an undefined tensor");
  if (self.is_symbolic() || other.is_symbolic()) {
    self = apply_op(op, {self, other});
    return self;
  }
  if (op_routes().tracked && op_routes().tracked(self))
    throw StateError("in-place " + op.name() +
                     " on a tensor a GradientTape recorded would make its gradient wrong; use an "
                     "out-of-place op");
  const Tensor rhs = other.is_weak()
                         ? Tensor::scalar(other.literal_value(), self.dtype()).to(self.device())
                         : other;
  execute_eager_into(op, {self, rhs}, {}, self);
  return self;
}

}  // namespace

Tensor& operator+=(Tensor& self, const Tensor& other) {
  return in_place(self, op::Add, other);
}
Tensor& operator-=(Tensor& self, const Tensor& other) {
  return in_place(self, op::Sub, other);
}
Tensor& operator*=(Tensor& self, const Tensor& other) {
  return in_place(self, op::Mul, other);
}
Tensor& operator/=(Tensor& self, const Tensor& other) {
  return in_place(self, op::Div, other);
}

}  // namespace nabla
