// Activations, softmax, bias_add and the fused cross-entropy losses.
#include "framework/ops/activation_math.h"
#include "framework/ops/op_helpers.h"

namespace nabla {

using namespace op_helpers;

namespace {

Tensor apply_activation(OpId op, const Tensor& x, double alpha = 0.0) {
  return apply_op(op, {x}, {{"alpha", alpha}});
}

TensorSpec infer_softmax(const InferContext& c) {
  c.require_floating(0);
  if (c.shape(0).rank() == 0) c.fail("needs at least one axis, got a scalar");
  normalize_axis(static_cast<int>(c.attrs.get_int("axis", -1)), c.shape(0).rank(), c.where());
  return c.inputs[0];
}

TensorSpec infer_sparse_xent(const InferContext& c) {
  // inputs: labels [N], logits [N, C]
  if (!is_integer(c.dtype(0)))
    throw TypeError(c.where() + ": labels must be int32 or int64, got " + dtype_name(c.dtype(0)));
  c.require_floating(1);
  const Shape &labels = c.shape(0), &logits = c.shape(1);
  if (logits.rank() != 2 || labels.rank() != 1)
    c.fail("needs labels of shape [N] and logits of shape [N, C], got " + labels.to_string() +
           " and " + logits.to_string());
  if (labels[0] >= 0 && logits[0] >= 0 && labels[0] != logits[0])
    c.fail("labels " + labels.to_string() + " and logits " + logits.to_string() +
           " have different batch sizes");
  return {Shape{logits[0] >= 0 ? logits[0] : labels[0]}, c.dtype(1)};
}

}  // namespace

Tensor relu(const Tensor& x) {
  return apply_activation(op::Relu, x);
}
Tensor relu6(const Tensor& x) {
  return apply_activation(op::Relu6, x);
}
Tensor leaky_relu(const Tensor& x, double alpha) {
  return apply_activation(op::LeakyRelu, x, alpha);
}
Tensor elu(const Tensor& x, double alpha) {
  return apply_activation(op::Elu, x, alpha);
}
Tensor selu(const Tensor& x) {
  return apply_activation(op::Selu, x);
}
Tensor sigmoid(const Tensor& x) {
  return apply_activation(op::Sigmoid, x);
}
Tensor hard_sigmoid(const Tensor& x, double slope) {
  return apply_activation(op::HardSigmoid, x, slope);
}
Tensor tanh(const Tensor& x) {
  return apply_activation(op::Tanh, x);
}
Tensor softplus(const Tensor& x) {
  return apply_activation(op::Softplus, x);
}
Tensor softsign(const Tensor& x) {
  return apply_activation(op::Softsign, x);
}
Tensor gelu(const Tensor& x, bool approximate) {
  return apply_activation(approximate ? op::GeluTanh : op::Gelu, x);
}
Tensor silu(const Tensor& x) {
  return apply_activation(op::Silu, x);
}
Tensor mish(const Tensor& x) {
  return x * tanh(softplus(x));
}

Tensor softmax(const Tensor& x, int axis) {
  return apply_op(op::Softmax, {x}, {{"axis", int64_t{axis}}});
}
Tensor log_softmax(const Tensor& x, int axis) {
  return apply_op(op::LogSoftmax, {x}, {{"axis", int64_t{axis}}});
}
Tensor bias_add(const Tensor& x, const Tensor& bias) {
  return apply_op(op::BiasAdd, {x, bias});
}

Tensor sparse_softmax_cross_entropy_with_logits(const Tensor& labels, const Tensor& logits) {
  return apply_op(op::SparseSoftmaxCrossEntropyWithLogits, {labels, logits});
}

Tensor softmax_cross_entropy_with_logits(const Tensor& labels, const Tensor& logits) {
  if (labels.rank() != logits.rank())
    throw ShapeError("softmax_cross_entropy_with_logits: labels " + labels.shape().to_string() +
                     " and logits " + logits.shape().to_string() + " differ in rank");
  return -reduce_sum(labels * log_softmax(logits, -1), {-1});
}

Tensor sigmoid_cross_entropy_with_logits(const Tensor& labels, const Tensor& logits) {
  // softplus(x) - x z: softplus is computed stably (max(x, 0) + log1p(e^-|x|)), and its gradient
  // sigmoid(x) is smooth, also at x = 0 where relu's and abs's kinks would not cancel.
  return softplus(logits) - logits * labels;
}

void register_nn_ops(OpRegistry& r) {
  // Every activation of activation_math.h: its gradient is ActivationGrad of its input or, when
  // the derivative is a function of it, its output.
#define NABLA_ACTIVATION_DEF(A)                                                       \
  r.define(op::A, {.min_inputs = 1,                                                   \
                   .max_inputs = 1,                                                   \
                   .infer = floating_unary,                                           \
                   .grad = [](const GradContext& c) -> TensorList {                   \
                     const Tensor& t = activation::A::kUsesOutput ? c.output : c.x(); \
                     return {apply_op(op::ActivationGrad, {c.grad, t},                \
                                      {{"kind", std::string(#A)},                     \
                                       {"alpha", c.attrs.get_float("alpha", 0.0)}})}; \
                   }});
  NABLA_ACTIVATIONS(NABLA_ACTIVATION_DEF)
#undef NABLA_ACTIVATION_DEF
  // dy * f'(t), t being the activation's input or output (see kUsesOutput).
  r.define(op::ActivationGrad,
           {.min_inputs = 2, .max_inputs = 2, .infer = [](const InferContext& c) {
              const std::string& kind = c.attrs.get_string("kind");
              if (!activation::with_activation_named(kind.c_str(), []<class A>() {}))
                c.fail("unknown activation kind '" + kind + "'");
              return broadcast_binary(c);
            }});
  r.define(op::Softmax, {.min_inputs = 1,
                         .max_inputs = 1,
                         .infer = infer_softmax,
                         .grad = [](const GradContext& c) -> TensorList {
                           return {apply_op(op::SoftmaxGrad, {c.grad, c.output}, c.attrs)};
                         }});
  r.define(op::LogSoftmax, {.min_inputs = 1,
                            .max_inputs = 1,
                            .infer = infer_softmax,
                            .grad = [](const GradContext& c) -> TensorList {
                              return {apply_op(op::LogSoftmaxGrad, {c.grad, c.output}, c.attrs)};
                            }});
  // y (dy - sum(dy y)) along the axis.
  r.define(op::SoftmaxGrad,
           {.min_inputs = 2,
            .max_inputs = 2,
            .infer = [](const InferContext& c) { return broadcast_binary(c); },
            .grad = [](const GradContext& c) -> TensorList {
              // d/d(dy) = softmax-jacobian (symmetric); d/dy left out (second order).
              return {apply_op(op::SoftmaxGrad, {c.grad, c.x(1)}, c.attrs), Tensor()};
            }});
  // dy - exp(y) sum(dy) along the axis.
  r.define(op::LogSoftmaxGrad,
           {.min_inputs = 2, .max_inputs = 2, .infer = [](const InferContext& c) {
              return broadcast_binary(c);
            }});
  r.define(op::BiasAdd, {.min_inputs = 2,
                         .max_inputs = 2,
                         .infer =
                             [](const InferContext& c) {
                               c.require_same_dtype();
                               const Shape &x = c.shape(0), &b = c.shape(1);
                               if (x.rank() < 1 || b.rank() != 1)
                                 c.fail("needs x of rank >= 1 and a bias of rank 1, got " +
                                        x.to_string() + " and " + b.to_string());
                               if (x.dim(-1) >= 0 && b[0] >= 0 && x.dim(-1) != b[0])
                                 c.fail("bias " + b.to_string() +
                                        " does not match the last axis of " + x.to_string());
                               return c.inputs[0];
                             },
                         .grad = [](const GradContext& c) -> TensorList {
                           std::vector<int> leading;
                           for (int i = 0; i + 1 < c.x().rank(); ++i) leading.push_back(i);
                           return {c.grad, reduce_sum(c.grad, leading)};
                         }});
  r.define(
      op::SparseSoftmaxCrossEntropyWithLogits,
      {.min_inputs = 2,
       .max_inputs = 2,
       .infer = infer_sparse_xent,
       .grad = [](const GradContext& c) -> TensorList {
         return {Tensor(), apply_op(op::SparseSoftmaxCrossEntropyGrad, {c.x(0), c.x(1), c.grad})};
       }});
  // (softmax(logits) - one_hot(labels)) * dloss[:, None]
  r.define(op::SparseSoftmaxCrossEntropyGrad,
           {.min_inputs = 3, .max_inputs = 3, .infer = [](const InferContext& c) {
              return TensorSpec{c.shape(1), c.dtype(1)};
            }});
}

}  // namespace nabla
