// NABLA_HD: marks a function compiled for both the host and, under nvcc, the GPU. The per-element
// math that every backend shares (framework/ops/*_math.h, Philox) is written once with it.
#pragma once

#if defined(__CUDACC__)
#define NABLA_HD __host__ __device__ __forceinline__
#else
#define NABLA_HD inline
#endif
