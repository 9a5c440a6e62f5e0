// Tensor's in-place arithmetic (+=, -=, *=, /=).
#include "framework/autodiff/gradient_tape.h"
#include "framework/ops/dispatch.h"
#include "framework/ops/ops.h"

namespace nabla {
namespace {

Tensor& in_place(Tensor& self, const char* op, const Tensor& other) {
  if (!self.defined() || !other.defined())
    throw ValueError(std::string(op) + "= on an undefined tensor");
  if (self.is_symbolic() || other.is_symbolic()) {
    self = apply_op(op, {self, other});
    return self;
  }
  if (GradientTape::any_tracks(self))
    throw StateError(std::string("in-place ") + op +
                     " on a tensor a GradientTape recorded would make its gradient wrong; use an "
                     "out-of-place op");
  const Tensor rhs = other.is_weak()
                         ? Tensor::scalar(other.literal_value(), self.dtype()).to(self.device())
                         : other;
  execute_eager_into(op, {self, rhs}, {}, self);
  return self;
}

}  // namespace

Tensor& Tensor::operator+=(const Tensor& other) {
  return in_place(*this, "Add", other);
}
Tensor& Tensor::operator-=(const Tensor& other) {
  return in_place(*this, "Sub", other);
}
Tensor& Tensor::operator*=(const Tensor& other) {
  return in_place(*this, "Mul", other);
}
Tensor& Tensor::operator/=(const Tensor& other) {
  return in_place(*this, "Div", other);
}

}  // namespace nabla
