// CPU kernels of element-wise ops: arithmetic with broadcasting, comparisons, selection, casts,
// activations and their gradients, bias_add, fills and copies.
#include <Eigen/Core>
#include <cmath>

#include "framework/backend/backend.h"
#include "framework/cpu/kernel_util.h"

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

template <class F>
KernelFn arithmetic() {
  return [](const KernelArgs& args) {
    dispatch_numeric(args.in(0).dtype, args,
                     [&]<class T>() { binary_loop<T, T>(args, F::template op<T>(args)); });
  };
}

template <class F>
KernelFn comparison() {
  return [](const KernelArgs& args) {
    dispatch_all(args.in(0).dtype, args, [&]<class T>() {
      binary_loop<T, uint8_t>(args, [](T a, T b) -> uint8_t { return F{}(a, b); });
    });
  };
}

struct AddF {
  template <class T>
  static auto op(const KernelArgs&) {
    return [](T a, T b) { return a + b; };
  }
};
struct SubF {
  template <class T>
  static auto op(const KernelArgs&) {
    return [](T a, T b) { return a - b; };
  }
};
struct MulF {
  template <class T>
  static auto op(const KernelArgs&) {
    return [](T a, T b) { return a * b; };
  }
};
struct DivF {
  template <class T>
  static auto op(const KernelArgs& args) {
    return [&args](T a, T b) {
      if constexpr (std::is_integral_v<T>) {
        if (b == 0) throw ValueError(args.where() + ": integer division by zero");
      }
      return a / b;
    };
  }
};
struct PowF {
  template <class T>
  static auto op(const KernelArgs&) {
    return [](T a, T b) { return static_cast<T>(std::pow(a, b)); };
  }
};
struct MaxF {
  template <class T>
  static auto op(const KernelArgs&) {
    // NaN propagates, as in TensorFlow.
    return [](T a, T b) { return (a > b || a != a) ? a : b; };
  }
};
struct MinF {
  template <class T>
  static auto op(const KernelArgs&) {
    return [](T a, T b) { return (a < b || a != a) ? a : b; };
  }
};

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

void neg_kernel(const KernelArgs& args) {
  dispatch_numeric(args.in(0).dtype, args,
                   [&]<class T>() { unary_loop<T>(args, 1, [](T v) { return -v; }); });
}
void abs_kernel(const KernelArgs& args) {
  dispatch_numeric(args.in(0).dtype, args,
                   [&]<class T>() { unary_loop<T>(args, 1, [](T v) { return v < 0 ? -v : v; }); });
}
void sign_kernel(const KernelArgs& args) {
  dispatch_numeric(args.in(0).dtype, args, [&]<class T>() {
    unary_loop<T>(args, 1, [](T v) { return static_cast<T>((v > 0) - (v < 0)); });
  });
}

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
      if constexpr (std::is_same_v<To, uint8_t>) {
        for (int64_t i = 0; i < n; ++i) y[i] = x[i] != From(0);
      } else {
        for (int64_t i = 0; i < n; ++i) y[i] = static_cast<To>(x[i]);
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

void fill_kernel(const KernelArgs& args) {
  fill_value(args, args.attrs->get_float("value"));
}

void copy_kernel(const KernelArgs& args) {
  if (args.in(0).numel() != args.output.numel())
    throw ShapeError(args.where() + ": cannot reshape " + args.in(0).shape.to_string() + " into " +
                     args.output.shape.to_string());
  copy_view(args.output, args.in(0));
}

}  // namespace

void register_elementwise_kernels(Backend& b) {
  b.register_kernel("Add", arithmetic<AddF>());
  b.register_kernel("Sub", arithmetic<SubF>());
  b.register_kernel("Mul", arithmetic<MulF>());
  b.register_kernel("Div", arithmetic<DivF>());
  b.register_kernel("Pow", arithmetic<PowF>());
  b.register_kernel("Maximum", arithmetic<MaxF>());
  b.register_kernel("Minimum", arithmetic<MinF>());
  b.register_kernel("Equal", comparison<std::equal_to<>>());
  b.register_kernel("NotEqual", comparison<std::not_equal_to<>>());
  b.register_kernel("Less", comparison<std::less<>>());
  b.register_kernel("LessEqual", comparison<std::less_equal<>>());
  b.register_kernel("Greater", comparison<std::greater<>>());
  b.register_kernel("GreaterEqual", comparison<std::greater_equal<>>());
  b.register_kernel("LogicalAnd", logical_and_kernel);
  b.register_kernel("LogicalNot", logical_not_kernel);
  b.register_kernel("Neg", neg_kernel);
  b.register_kernel("Abs", abs_kernel);
  b.register_kernel("Sign", sign_kernel);
  b.register_kernel("Exp", eigen_unary<ExpOp>());
  b.register_kernel("Log", eigen_unary<LogOp>());
  b.register_kernel("Log1p", eigen_unary<Log1pOp>());
  b.register_kernel("Sqrt", eigen_unary<SqrtOp>());
  b.register_kernel("Rsqrt", eigen_unary<RsqrtOp>());
  b.register_kernel("Cos", eigen_unary<CosOp>());
  b.register_kernel("Sin", eigen_unary<SinOp>());
  b.register_kernel("Floor", eigen_unary<FloorOp>());
  b.register_kernel("Reciprocal", eigen_unary<ReciprocalOp>());
  b.register_kernel("Square", eigen_unary<SquareOp>());
  b.register_kernel("BiasAdd", bias_add_kernel);
  b.register_kernel("Select", select_kernel);
  b.register_kernel("Cast", cast_kernel);
  b.register_kernel("AddN", add_n_kernel);
  b.register_kernel("Fill", fill_kernel);
  b.register_kernel("FillLike", fill_kernel);
  for (const char* op : kernels::kCopyOps) b.register_kernel(op, copy_kernel);
}

}  // namespace nabla::cpu
