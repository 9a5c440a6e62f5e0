// CUDA kernels of binary element-wise ops with numpy broadcasting: arithmetic, comparisons and
// logical and. The per-element functions are those of the CPU kernels (framework/cpu/
// elementwise.cc), written as device functors.
#include <cmath>
#include <type_traits>

#include "framework/backend/backend.h"
#include "framework/cuda/launch.cuh"

namespace nabla::cuda::binary_ops {

// Same-shape and scalar operands take the plain loop; anything else the broadcast walk.
template <class T, class Out, class F>
void binary(const KernelArgs& args, F f) {
  const TensorView &a = args.in(0), &b = args.in(1), &o = args.output;
  const T* pa = a.as<T>();
  const T* pb = b.as<T>();
  Out* po = o.as<Out>();
  const int64_t n = o.numel();
  if (a.shape == o.shape && b.shape == o.shape) {
    for_each(args, n, [=] __device__(int64_t i) { po[i] = f(pa[i], pb[i]); });
  } else if (b.numel() == 1 && a.shape == o.shape) {
    for_each(args, n, [=] __device__(int64_t i) { po[i] = f(pa[i], pb[0]); });
  } else if (a.numel() == 1 && b.shape == o.shape) {
    for_each(args, n, [=] __device__(int64_t i) { po[i] = f(pa[0], pb[i]); });
  } else {
    const Shape* shapes[2] = {&a.shape, &b.shape};
    const Broadcast<2> bc = make_broadcast<2>(o.shape, shapes);
    for_each(args, n, [=] __device__(int64_t i) {
      int64_t off[2];
      bc.offsets(i, off);
      po[i] = f(pa[off[0]], pb[off[1]]);
    });
  }
}

struct AddF {
  template <class T>
  __device__ T operator()(T a, T b) const {
    return a + b;
  }
};
struct SubF {
  template <class T>
  __device__ T operator()(T a, T b) const {
    return a - b;
  }
};
struct MulF {
  template <class T>
  __device__ T operator()(T a, T b) const {
    return a * b;
  }
};
// Integer division by zero is reported (the CPU kernel throws) and gives 0.
struct DivF {
  DeviceErrorRecord* errors;
  ErrorTag tag;
  template <class T>
  __device__ T operator()(T a, T b) const {
    if constexpr (std::is_integral_v<T>) {
      if (b == 0) {
        report_error(errors, tag, DeviceErrorKind::DivisionByZero, 0, 0, 0);
        return T(0);
      }
    }
    return a / b;
  }
};
struct PowF {
  template <class T>
  __device__ T operator()(T a, T b) const {
    if constexpr (std::is_integral_v<T>) {
      return static_cast<T>(std::pow(static_cast<double>(a), static_cast<double>(b)));
    } else {
      return std::pow(a, b);
    }
  }
};
// NaN propagates, as in TensorFlow.
struct MaxF {
  template <class T>
  __device__ T operator()(T a, T b) const {
    return (a > b || a != a) ? a : b;
  }
};
struct MinF {
  template <class T>
  __device__ T operator()(T a, T b) const {
    return (a < b || a != a) ? a : b;
  }
};

template <class F>
void arithmetic(const KernelArgs& args) {
  dispatch_numeric(args.in(0).dtype, args, [&]<class T>() {
    if constexpr (std::is_same_v<F, DivF>) {
      binary<T, T>(args, DivF{context(args).errors, error_tag(args)});
    } else {
      binary<T, T>(args, F{});
    }
  });
}

template <class Cmp>
struct CompareF {
  template <class T>
  __device__ uint8_t operator()(T a, T b) const {
    return Cmp{}(a, b) ? 1 : 0;
  }
};
struct EqualTo {
  template <class T>
  __device__ bool operator()(T a, T b) const {
    return a == b;
  }
};
struct NotEqualTo {
  template <class T>
  __device__ bool operator()(T a, T b) const {
    return a != b;
  }
};
struct LessThan {
  template <class T>
  __device__ bool operator()(T a, T b) const {
    return a < b;
  }
};
struct LessEqual {
  template <class T>
  __device__ bool operator()(T a, T b) const {
    return a <= b;
  }
};
struct GreaterThan {
  template <class T>
  __device__ bool operator()(T a, T b) const {
    return a > b;
  }
};
struct GreaterEqual {
  template <class T>
  __device__ bool operator()(T a, T b) const {
    return a >= b;
  }
};

template <class Cmp>
void comparison(const KernelArgs& args) {
  dispatch_all(args.in(0).dtype, args,
               [&]<class T>() { binary<T, uint8_t>(args, CompareF<Cmp>{}); });
}

struct AndF {
  __device__ uint8_t operator()(uint8_t a, uint8_t b) const { return (a && b) ? 1 : 0; }
};

void logical_and_kernel(const KernelArgs& args) {
  binary<uint8_t, uint8_t>(args, AndF{});
}

}  // namespace nabla::cuda::binary_ops

namespace nabla::cuda {

void register_binary_kernels(Backend& b) {
  using namespace binary_ops;
  b.register_kernel("Add", arithmetic<AddF>);
  b.register_kernel("Sub", arithmetic<SubF>);
  b.register_kernel("Mul", arithmetic<MulF>);
  b.register_kernel("Div", arithmetic<DivF>);
  b.register_kernel("Pow", arithmetic<PowF>);
  b.register_kernel("Maximum", arithmetic<MaxF>);
  b.register_kernel("Minimum", arithmetic<MinF>);
  b.register_kernel("Equal", comparison<EqualTo>);
  b.register_kernel("NotEqual", comparison<NotEqualTo>);
  b.register_kernel("Less", comparison<LessThan>);
  b.register_kernel("LessEqual", comparison<LessEqual>);
  b.register_kernel("Greater", comparison<GreaterThan>);
  b.register_kernel("GreaterEqual", comparison<GreaterEqual>);
  b.register_kernel("LogicalAnd", logical_and_kernel);
}

}  // namespace nabla::cuda
