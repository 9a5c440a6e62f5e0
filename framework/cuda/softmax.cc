// Softmax and log-softmax and their gradients on cuDNN. The op's axis becomes cuDNN's channel
// axis: the input is described as NCHW with N = the axes before it, C = the axis, H = the axes
// after it, so any axis of any rank is one call with no transposes. cuDNN's ACCURATE algorithm
// subtracts the maximum first, like the CPU kernel, and its LOG mode's gradient is the CPU's
// dy - exp(y) sum(dy).
#include <climits>

#include "framework/backend/backend.h"
#include "framework/backend/kernel_helpers.h"
#include "framework/cuda/context.h"
#include "framework/cuda/kernels.h"

namespace nabla::cuda {
namespace {

// A cuDNN tensor descriptor, destroyed with its scope. Launches queued (or captured) with it
// keep what they need, so it may go before they run.
class TensorDescriptor {
 public:
  TensorDescriptor(const KernelArgs& args, const Shape& shape, DType dtype) {
    const kernels::AxisView v = kernels::axis_view(
        shape, kernels::kernel_axis(args, args.attrs->get_int("axis", -1), shape.rank()));
    if (dtype != DType::Float32 && dtype != DType::Float64)
      throw TypeError(args.where() + ": no kernel for " + dtype_name(dtype));
    if (shape.numel() > INT_MAX)
      throw ShapeError(args.where() + ": " + shape.to_string() +
                       " has more elements than cuDNN's softmax takes (2^31 - 1)");
    NABLA_CUDA_CHECK(cudnnCreateTensorDescriptor(&desc_), &args);
    const cudnnStatus_t status = cudnnSetTensor4dDescriptor(
        desc_, CUDNN_TENSOR_NCHW, dtype == DType::Float32 ? CUDNN_DATA_FLOAT : CUDNN_DATA_DOUBLE,
        static_cast<int>(v.outer), static_cast<int>(v.n), static_cast<int>(v.inner), 1);
    if (status != CUDNN_STATUS_SUCCESS) cudnnDestroyTensorDescriptor(desc_);
    check(status, "cudnnSetTensor4dDescriptor", &args);
  }
  ~TensorDescriptor() { cudnnDestroyTensorDescriptor(desc_); }
  TensorDescriptor(const TensorDescriptor&) = delete;
  TensorDescriptor& operator=(const TensorDescriptor&) = delete;
  cudnnTensorDescriptor_t get() const { return desc_; }

 private:
  cudnnTensorDescriptor_t desc_ = nullptr;
};

// cuDNN reads alpha and beta as the tensor's own float type.
struct Scalars {
  float f[2] = {1.f, 0.f};
  double d[2] = {1.0, 0.0};
  const void* one(DType t) const {
    return t == DType::Float32 ? static_cast<const void*>(&f[0]) : &d[0];
  }
  const void* zero(DType t) const {
    return t == DType::Float32 ? static_cast<const void*>(&f[1]) : &d[1];
  }
};

template <bool Log>
void softmax_kernel(const KernelArgs& args) {
  const TensorView& x = args.in(0);
  if (x.numel() == 0) return;
  const TensorDescriptor desc(args, x.shape, x.dtype);
  const Scalars s;
  NABLA_CUDA_CHECK(
      cudnnSoftmaxForward(context(args).cudnn, Log ? CUDNN_SOFTMAX_LOG : CUDNN_SOFTMAX_ACCURATE,
                          CUDNN_SOFTMAX_MODE_CHANNEL, s.one(x.dtype), desc.get(), x.data,
                          s.zero(x.dtype), desc.get(), args.output.data),
      &args);
}

// Inputs: the gradient of the output, then the output itself.
template <bool Log>
void softmax_grad_kernel(const KernelArgs& args) {
  const TensorView &dy = args.in(0), &y = args.in(1);
  if (dy.numel() == 0) return;
  if (dy.shape != y.shape)
    throw ShapeError(args.where() + ": gradient " + dy.shape.to_string() + " and output " +
                     y.shape.to_string() + " differ");
  const TensorDescriptor desc(args, dy.shape, dy.dtype);
  const Scalars s;
  NABLA_CUDA_CHECK(
      cudnnSoftmaxBackward(context(args).cudnn, Log ? CUDNN_SOFTMAX_LOG : CUDNN_SOFTMAX_ACCURATE,
                           CUDNN_SOFTMAX_MODE_CHANNEL, s.one(dy.dtype), desc.get(), y.data,
                           desc.get(), dy.data, s.zero(dy.dtype), desc.get(), args.output.data),
      &args);
}

}  // namespace

void register_softmax_kernels(Backend& b) {
  b.register_kernel(op::Softmax, softmax_kernel<false>);
  b.register_kernel(op::LogSoftmax, softmax_kernel<true>);
  b.register_kernel(op::SoftmaxGrad, softmax_grad_kernel<false>);
  b.register_kernel(op::LogSoftmaxGrad, softmax_grad_kernel<true>);
}

}  // namespace nabla::cuda
