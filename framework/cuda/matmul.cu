// CUDA matrix product: cuBLAS sgemm/dgemm for floats, a plain kernel for the rare integer case.
//
// nabla's matrices are row-major and cuBLAS's column-major. A row-major matrix read as
// column-major is its transpose, so C = op(A) op(B) is computed as C^T = op(B)^T op(A)^T:
// cuBLAS gets B first, then A, with n and m swapped, and writes C^T column-major, which is C
// row-major. No operand is copied or transposed in memory.
//
// Float32 products run without TF32 unless NABLA_CUDA_TF32=1 (see cuda_backend.cc), so that
// results match the CPU to float32 precision.
#include <climits>

#include "framework/backend/backend.h"
#include "framework/cuda/kernels.h"
#include "framework/cuda/launch.cuh"

namespace nabla::cuda::matmul_ops {

struct Dims {
  bool ta, tb;
  int64_t m, n, k;
};

template <class T>
void integer_matmul(const KernelArgs& args, Dims d) {
  const T* a = args.in(0).as<T>();
  const T* b = args.in(1).as<T>();
  T* c = args.output.as<T>();
  for_each(args, d.m * d.n, [=] __device__(int64_t idx) {
    const int64_t i = idx / d.n, j = idx % d.n;
    T s = 0;
    for (int64_t p = 0; p < d.k; ++p)
      s += a[d.ta ? p * d.m + i : i * d.k + p] * b[d.tb ? j * d.k + p : p * d.n + j];
    c[idx] = s;
  });
}

template <class T>
void blas_matmul(const KernelArgs& args, Dims d) {
  if (d.m > INT_MAX || d.n > INT_MAX || d.k > INT_MAX)
    throw ShapeError(args.where() + ": a dimension of " + args.in(0).shape.to_string() + " x " +
                     args.in(1).shape.to_string() + " exceeds cuBLAS's 32-bit sizes");
  Context& c = context(args);
  const int m = static_cast<int>(d.m), n = static_cast<int>(d.n), k = static_cast<int>(d.k);
  const cublasOperation_t op_a = d.ta ? CUBLAS_OP_T : CUBLAS_OP_N;
  const cublasOperation_t op_b = d.tb ? CUBLAS_OP_T : CUBLAS_OP_N;
  const int lda = d.ta ? m : k, ldb = d.tb ? k : n;
  const T* a = args.in(0).as<T>();
  const T* b = args.in(1).as<T>();
  T* out = args.output.as<T>();
  const T one = 1, zero = 0;  // host pointers: cuBLAS reads them at the call (also when captured)
  if constexpr (std::is_same_v<T, float>) {
    NABLA_CUDA_CHECK(
        cublasSgemm(c.cublas, op_b, op_a, n, m, k, &one, b, ldb, a, lda, &zero, out, n), &args);
  } else {
    NABLA_CUDA_CHECK(
        cublasDgemm(c.cublas, op_b, op_a, n, m, k, &one, b, ldb, a, lda, &zero, out, n), &args);
  }
}

void matmul_kernel(const KernelArgs& args) {
  const bool ta = args.attrs->get_bool("transpose_a", false);
  const bool tb = args.attrs->get_bool("transpose_b", false);
  const Shape &sa = args.in(0).shape, &sb = args.in(1).shape;
  const Dims d{ta, tb, sa[ta ? 1 : 0], sb[tb ? 0 : 1], sa[ta ? 0 : 1]};
  if (sb[tb ? 1 : 0] != d.k)
    throw ShapeError(args.where() + ": inner dimensions differ: " + sa.to_string() + " and " +
                     sb.to_string());
  if (d.m == 0 || d.n == 0) return;
  if (d.k == 0) {  // an empty sum: zeros
    const size_t bytes = static_cast<size_t>(d.m * d.n) * dtype_size(args.output.dtype);
    NABLA_CUDA_CHECK(cudaMemsetAsync(args.output.data, 0, bytes, context(args).stream), &args);
    return;
  }
  dispatch_numeric(args.in(0).dtype, args, [&]<class T>() {
    if constexpr (std::is_floating_point_v<T>) {
      blas_matmul<T>(args, d);
    } else {
      integer_matmul<T>(args, d);
    }
  });
}

}  // namespace nabla::cuda::matmul_ops

namespace nabla::cuda {

void register_matmul_kernels(Backend& b) {
  b.register_kernel(op::MatMul, matmul_ops::matmul_kernel);
}

}  // namespace nabla::cuda
