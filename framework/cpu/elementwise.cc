// CPU kernels of element-wise ops: one generic kernel per family of elementwise_math.h (unary,
// binary with broadcasting, comparisons), Eigen's vectorized versions of the transcendental unary
// functions, and selection, casts, bias_add, sums, fills and copies.
#include <Eigen/Core>
#include <cmath>

#include "framework/backend/backend.h"
#include "framework/cpu/kernel_util.h"
#include "framework/ops/elementwise_math.h"

namespace nabla::cpu {
namespace {

// ---------------------------------------------------------------- binary with broadcasting

template <class T, class Out, class F>
void binary_loop(const KernelArgs& args, F f) {
  const TensorView &a = args.in(0), &b = args.in(1), &o = args.output;
  const T* pa = a.as<T>();
  const T* pb = b.as<T>();
  Out* po = o.as<Out>();
  const int64_t n = o.numel();
  if (a.shape == o.shape && b.shape == o.shape) {
    parallel_range(args, n, 1, [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; ++i) po[i] = f(pa[i], pb[i]);
    });
    return;
  }
  if (b.numel() == 1 && a.shape == o.shape) {
    const T vb = pb[0];
    parallel_range(args, n, 1, [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; ++i) po[i] = f(pa[i], vb);
    });
    return;
  }
  if (a.numel() == 1 && b.shape == o.shape) {
    const T va = pa[0];
    parallel_range(args, n, 1, [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; ++i) po[i] = f(va, pb[i]);
    });
    return;
  }
  const Shape* shapes[2] = {&a.shape, &b.shape};
  BroadcastWalker<2> w(o.shape, shapes);
  const int64_t len = w.row_len;
  parallel_range(args, w.rows, len, [&](int64_t r0, int64_t r1) {
    int64_t off[2];
    for (int64_t r = r0; r < r1; ++r) {
      w.row_offsets(r, off);
      const T* ra = pa + off[0];
      const T* rb = pb + off[1];
      Out* ro = po + r * len;
      if (w.inner[0] && w.inner[1]) {
        for (int64_t j = 0; j < len; ++j) ro[j] = f(ra[j], rb[j]);
      } else if (w.inner[0]) {
        const T vb = rb[0];
        for (int64_t j = 0; j < len; ++j) ro[j] = f(ra[j], vb);
      } else if (w.inner[1]) {
        const T va = ra[0];
        for (int64_t j = 0; j < len; ++j) ro[j] = f(va, rb[j]);
      } else {
        const Out v = f(ra[0], rb[0]);
        for (int64_t j = 0; j < len; ++j) ro[j] = v;
      }
    }
  });
}

// Integer division by zero is an error, found before anything is written.
template <class F, class T>
void check_divisor(const KernelArgs& args) {
  if constexpr (elementwise::checks_divisor<F> && std::is_integral_v<T>) {
    const T* b = args.in(1).as<T>();
    for (int64_t i = 0, n = args.in(1).numel(); i < n; ++i)
      if (b[i] == T(0)) throw ValueError(args.where() + ": integer division by zero");
  }
}

template <class F>
void arithmetic_kernel(const KernelArgs& args) {
  dispatch_numeric(args.in(0).dtype, args, [&]<class T>() {
    check_divisor<F, T>(args);
    binary_loop<T, T>(args, F{});
  });
}

template <class F>
void comparison_kernel(const KernelArgs& args) {
  dispatch_all(args.in(0).dtype, args, [&]<class T>() { binary_loop<T, uint8_t>(args, F{}); });
}

template <class F>
void unary_kernel(const KernelArgs& args) {
  if constexpr (F::kTypes == elementwise::Types::Float) {
    dispatch_float(args.in(0).dtype, args, [&]<class T>() { unary_loop<T>(args, 16, F{}); });
  } else {
    dispatch_numeric(args.in(0).dtype, args, [&]<class T>() { unary_loop<T>(args, 1, F{}); });
  }
}

// ---------------------------------------------------------------- unary

// Element-wise functions Eigen vectorizes (exp, log, ...) run through Eigen arrays.
template <class Op>
KernelFn eigen_unary() {
  return [](const KernelArgs& args) {
    dispatch_float(args.in(0).dtype, args, [&]<class T>() {
      using Arr = Eigen::Array<T, Eigen::Dynamic, 1>;
      const T* x = args.in(0).as<T>();
      T* y = args.output.as<T>();
      parallel_range(args, args.output.numel(), 16, [&](int64_t lo, int64_t hi) {
        Eigen::Map<const Arr> in(x + lo, hi - lo);
        Eigen::Map<Arr> out(y + lo, hi - lo);
        out = Op{}(in);
      });
    });
  };
}

struct ExpOp {
  template <class A>
  auto operator()(const A& a) const {
    return a.exp();
  }
};
struct LogOp {
  template <class A>
  auto operator()(const A& a) const {
    return a.log();
  }
};
struct Log1pOp {
  template <class A>
  auto operator()(const A& a) const {
    return a.log1p();
  }
};
struct SqrtOp {
  template <class A>
  auto operator()(const A& a) const {
    return a.sqrt();
  }
};
struct RsqrtOp {
  template <class A>
  auto operator()(const A& a) const {
    return a.rsqrt();
  }
};
struct CosOp {
  template <class A>
  auto operator()(const A& a) const {
    return a.cos();
  }
};
struct SinOp {
  template <class A>
  auto operator()(const A& a) const {
    return a.sin();
  }
};
struct FloorOp {
  template <class A>
  auto operator()(const A& a) const {
    return a.floor();
  }
};
struct ReciprocalOp {
  template <class A>
  auto operator()(const A& a) const {
    return a.inverse();
  }
};
struct SquareOp {
  template <class A>
  auto operator()(const A& a) const {
    return a.square();
  }
};

void logical_not_kernel(const KernelArgs& args) {
  const uint8_t* x = args.in(0).as<uint8_t>();
  uint8_t* y = args.output.as<uint8_t>();
  for (int64_t i = 0, n = args.output.numel(); i < n; ++i) y[i] = !x[i];
}

void logical_and_kernel(const KernelArgs& args) {
  binary_loop<uint8_t, uint8_t>(args, [](uint8_t a, uint8_t b) -> uint8_t { return a && b; });
}

// ---------------------------------------------------------------- the rest

void bias_add_kernel(const KernelArgs& args) {
  dispatch_numeric(args.in(0).dtype, args, [&]<class T>() {
    const T* x = args.in(0).as<T>();
    const T* b = args.in(1).as<T>();
    T* y = args.output.as<T>();
    const int64_t c = args.in(1).numel();
    const int64_t rows = c ? args.output.numel() / c : 0;
    parallel_range(args, rows, c, [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) {
        const T* xr = x + r * c;
        T* yr = y + r * c;
        for (int64_t j = 0; j < c; ++j) yr[j] = xr[j] + b[j];
      }
    });
  });
}

void select_kernel(const KernelArgs& args) {
  dispatch_all(args.in(1).dtype, args, [&]<class T>() {
    const uint8_t* c = args.in(0).as<uint8_t>();
    const T* a = args.in(1).as<T>();
    const T* b = args.in(2).as<T>();
    T* o = args.output.as<T>();
    const Shape* shapes[3] = {&args.in(0).shape, &args.in(1).shape, &args.in(2).shape};
    BroadcastWalker<3> w(args.output.shape, shapes);
    parallel_range(args, w.rows, w.row_len, [&](int64_t r0, int64_t r1) {
      int64_t off[3];
      for (int64_t r = r0; r < r1; ++r) {
        w.row_offsets(r, off);
        T* ro = o + r * w.row_len;
        for (int64_t j = 0; j < w.row_len; ++j)
          ro[j] =
              c[off[0] + j * w.inner[0]] ? a[off[1] + j * w.inner[1]] : b[off[2] + j * w.inner[2]];
      }
    });
  });
}

void cast_kernel(const KernelArgs& args) {
  dispatch_all(args.in(0).dtype, args, [&]<class From>() {
    dispatch_all(args.output.dtype, args, [&]<class To>() {
      const From* x = args.in(0).as<From>();
      To* y = args.output.as<To>();
      const int64_t n = args.output.numel();
      if (args.output.dtype == DType::Bool) {
        for (int64_t i = 0; i < n; ++i) y[i] = elementwise::convert<bool>(x[i]);
      } else {
        for (int64_t i = 0; i < n; ++i) y[i] = elementwise::convert<To>(x[i]);
      }
    });
  });
}

void add_n_kernel(const KernelArgs& args) {
  dispatch_numeric(args.output.dtype, args, [&]<class T>() {
    T* y = args.output.as<T>();
    const int k = args.num_inputs;
    parallel_range(args, args.output.numel(), k, [&](int64_t lo, int64_t hi) {
      const T* x0 = args.in(0).as<T>();
      for (int64_t i = lo; i < hi; ++i) y[i] = x0[i];
      for (int j = 1; j < k; ++j) {
        const T* xj = args.in(j).as<T>();
        for (int64_t i = lo; i < hi; ++i) y[i] += xj[i];
      }
    });
  });
}

void fill_value(const KernelArgs& args, double value) {
  dispatch_all(args.output.dtype, args, [&]<class T>() {
    T* y = args.output.as<T>();
    const T v = static_cast<T>(value);
    parallel_range(args, args.output.numel(), 1,
                   [&](int64_t lo, int64_t hi) { std::fill(y + lo, y + hi, v); });
  });
}

void decode_fill(KernelArgs& args) {
  args.params.set(args.attrs->get_float("value"));
}

void fill_kernel(const KernelArgs& args) {
  fill_value(args, args.params.get<double>());
}

void copy_kernel(const KernelArgs& args) {
  if (args.in(0).numel() != args.output.numel())
    throw ShapeError(args.where() + ": cannot reshape " + args.in(0).shape.to_string() + " into " +
                     args.output.shape.to_string());
  copy_view(args.output, args.in(0));
}

}  // namespace

void register_elementwise_kernels(Backend& b) {
  // Every op of elementwise_math.h, through its family's generic kernel.
#define NABLA_UNARY_KERNEL(Name, ...) b.register_kernel(op::Name, unary_kernel<elementwise::Name>);
  NABLA_UNARY_MATH(NABLA_UNARY_KERNEL)
#undef NABLA_UNARY_KERNEL
#define NABLA_BINARY_KERNEL(Name, ...) \
  b.register_kernel(op::Name, arithmetic_kernel<elementwise::Name>);
  NABLA_BINARY_MATH(NABLA_BINARY_KERNEL)
#undef NABLA_BINARY_KERNEL
#define NABLA_COMPARISON_KERNEL(Name, ...) \
  b.register_kernel(op::Name, comparison_kernel<elementwise::Name>);
  NABLA_COMPARISON_MATH(NABLA_COMPARISON_KERNEL)
#undef NABLA_COMPARISON_KERNEL
  // Eigen vectorizes these (its exp, log, ... are SIMD polynomial versions): they replace the
  // generic kernels.
  b.register_kernel(op::Exp, eigen_unary<ExpOp>());
  b.register_kernel(op::Log, eigen_unary<LogOp>());
  b.register_kernel(op::Log1p, eigen_unary<Log1pOp>());
  b.register_kernel(op::Sqrt, eigen_unary<SqrtOp>());
  b.register_kernel(op::Rsqrt, eigen_unary<RsqrtOp>());
  b.register_kernel(op::Cos, eigen_unary<CosOp>());
  b.register_kernel(op::Sin, eigen_unary<SinOp>());
  b.register_kernel(op::Floor, eigen_unary<FloorOp>());
  b.register_kernel(op::Reciprocal, eigen_unary<ReciprocalOp>());
  b.register_kernel(op::Square, eigen_unary<SquareOp>());
  b.register_kernel(op::LogicalAnd, logical_and_kernel);
  b.register_kernel(op::LogicalNot, logical_not_kernel);
  b.register_kernel(op::BiasAdd, bias_add_kernel);
  b.register_kernel(op::Select, select_kernel);
  b.register_kernel(op::Cast, cast_kernel);
  b.register_kernel(op::AddN, add_n_kernel);
  b.register_kernel(op::Fill, fill_kernel, decode_fill);
  b.register_kernel(op::FillLike, fill_kernel, decode_fill);
  for (OpId op : kernels::kCopyOps) b.register_kernel(op, copy_kernel);
}

}  // namespace nabla::cpu
