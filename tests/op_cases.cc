#include "op_cases.h"

#include <cmath>
#include <limits>

namespace nabla::testing {

std::vector<OpCase> op_cases(DType f) {
  using S = InputSpec;
  auto in = [f](Shape s, double lo = -2, double hi = 2, double avoid = 0.05) {
    return S{s, f, lo, hi, avoid, 0};
  };
  auto pos = [f](Shape s) { return S{s, f, 0.5, 2.0, 0, 0}; };
  auto labels = [](Shape s, int64_t n) { return S{s, DType::Int64, 0, 0, 0, n}; };
  auto b1 = [](auto fn) { return [fn](const TensorList& x) { return fn(x[0]); }; };
  auto b2 = [](auto fn) { return [fn](const TensorList& x) { return fn(x[0], x[1]); }; };

  std::vector<OpCase> cases = {
      {"add",
       {in({2, 3}), in({2, 3})},
       b2([](auto a, auto b) { return a + b; }),
       true,
       {{-1, 3}, {-1, 3}}},
      {"add_broadcast_row",
       {in({4, 3}), in({3})},
       b2([](auto a, auto b) { return a + b; }),
       true,
       {{-1, 3}, {3}}},
      {"add_broadcast_col", {in({3, 1}), in({1, 5})}, b2([](auto a, auto b) { return a + b; })},
      {"add_scalar", {in({2, 3}), in({})}, b2([](auto a, auto b) { return a + b; })},
      {"sub_broadcast", {in({2, 1, 3}), in({4, 1})}, b2([](auto a, auto b) { return a - b; })},
      {"mul_broadcast", {in({3, 4}), in({1, 4})}, b2([](auto a, auto b) { return a * b; })},
      {"div", {in({5, 3}), pos({5, 3})}, b2([](auto a, auto b) { return a / b; })},
      {"div_broadcast", {in({2, 3}), pos({3})}, b2([](auto a, auto b) { return a / b; })},
      {"pow", {pos({2, 3}), in({2, 3}, -1.5, 1.5)}, b2([](auto a, auto b) { return pow(a, b); })},
      {"maximum", {in({3, 4}), in({4})}, b2([](auto a, auto b) { return maximum(a, b); })},
      {"minimum", {in({3, 4}), in({3, 4})}, b2([](auto a, auto b) { return minimum(a, b); })},
      {"add_n", {in({2, 3}), in({2, 3}), in({2, 3})}, [](const TensorList& x) { return add_n(x); }},
      {"neg", {in({7})}, b1([](auto a) { return -a; })},
      {"square", {in({2, 5})}, b1([](auto a) { return square(a); })},
      {"sqrt", {pos({3, 3})}, b1([](auto a) { return sqrt(a); })},
      {"rsqrt", {pos({3, 3})}, b1([](auto a) { return rsqrt(a); })},
      {"exp", {in({2, 3})}, b1([](auto a) { return exp(a); })},
      {"log", {pos({2, 3})}, b1([](auto a) { return log(a); })},
      {"log1p", {pos({2, 3})}, b1([](auto a) { return log1p(a); })},
      {"abs", {in({9})}, b1([](auto a) { return abs(a); })},
      {"reciprocal", {pos({4})}, b1([](auto a) { return reciprocal(a); })},
      {"sin", {in({4})}, b1([](auto a) { return sin(a); })},
      {"cos", {in({4})}, b1([](auto a) { return cos(a); })},
      {"clip_by_value", {in({11})}, b1([](auto a) { return clip_by_value(a, -1.0, 1.2); })},
      {"matmul",
       {in({3, 4}), in({4, 5})},
       b2([](auto a, auto b) { return matmul(a, b); }),
       true,
       {{-1, 4}, {4, 5}}},
      {"matmul_ta", {in({4, 3}), in({4, 5})}, b2([](auto a, auto b) {
         return matmul(a, b, true, false);
       })},
      {"matmul_tb", {in({3, 4}), in({5, 4})}, b2([](auto a, auto b) {
         return matmul(a, b, false, true);
       })},
      {"matmul_tab", {in({4, 3}), in({5, 4})}, b2([](auto a, auto b) {
         return matmul(a, b, true, true);
       })},
      {"matmul_odd", {in({17, 33}), in({33, 7})}, b2([](auto a, auto b) { return matmul(a, b); })},
      {"reduce_sum_all", {in({3, 4})}, b1([](auto a) { return reduce_sum(a); })},
      {"reduce_sum_axis0",
       {in({3, 4})},
       b1([](auto a) { return reduce_sum(a, {0}); }),
       true,
       {{-1, 4}}},
      {"reduce_sum_axis1_keep", {in({3, 4})}, b1([](auto a) { return reduce_sum(a, {1}, true); })},
      {"reduce_sum_axes02", {in({2, 3, 4})}, b1([](auto a) {
         return reduce_sum(a, {0, 2});
       })},
      {"reduce_mean",
       {in({3, 4})},
       b1([](auto a) { return reduce_mean(a, {0}); }),
       true,
       {{-1, 4}}},
      {"reduce_mean_all", {in({2, 3, 2})}, b1([](auto a) { return reduce_mean(a); })},
      {"reduce_max", {in({3, 5})}, b1([](auto a) { return reduce_max(a, {1}); })},
      {"reduce_min_keep", {in({4, 3})}, b1([](auto a) { return reduce_min(a, {0}, true); })},
      {"reduce_logsumexp", {in({3, 4})}, b1([](auto a) { return reduce_logsumexp(a, {1}); })},
      {"reshape", {in({2, 6})}, b1([](auto a) {
         return reshape(a, {3, -1});
       })},
      {"reshape_dynamic",
       {in({4, 6})},
       b1([](auto a) {
         return reshape(a, {-1, 3});
       }),
       true,
       {{-1, 6}}},
      {"transpose", {in({2, 3})}, b1([](auto a) { return transpose(a); })},
      {"transpose_3d", {in({2, 3, 4})}, b1([](auto a) {
         return transpose(a, {1, 2, 0});
       })},
      {"concat_axis0", {in({2, 3}), in({1, 3})}, [](const TensorList& x) { return concat(x, 0); }},
      {"concat_axis1",
       {in({2, 3}), in({2, 2}), in({2, 1})},
       [](const TensorList& x) { return concat(x, 1); }},
      {"gather", {in({5, 3}), labels({7}, 5)}, b2([](auto p, auto i) { return gather(p, i); })},
      {"slice", {in({4, 5})}, b1([](auto a) {
         return slice(a, {1, 2}, {2, -1});
       })},
      {"expand_squeeze", {in({3, 4})}, b1([](auto a) {
         return squeeze(expand_dims(a, 1), 1) * expand_dims(a, 0);
       })},
      {"broadcast_to", {in({1, 3})}, b1([](auto a) {
         return broadcast_to(a, {4, 3});
       })},
      {"where",
       {in({3, 4}), in({3, 4}), in({4})},
       [](const TensorList& x) { return where(greater(x[0], 0.0), x[1], x[2]); }},
      {"cast_roundtrip",
       {in({5})},
       b1(
           [f](auto a) {
             return cast(cast(a, f == DType::Float64 ? DType::Float32 : DType::Float64), f) * 2.0;
           }),
       true,
       {},
       0.05},
      {"identity", {in({3})}, b1([](auto a) { return identity(a) * a; })},
      {"relu", {in({3, 4})}, b1([](auto a) { return relu(a); })},
      {"relu6", {in({12}, -3, 8)}, b1([](auto a) { return relu6(a); })},
      {"leaky_relu", {in({3, 4})}, b1([](auto a) { return leaky_relu(a, 0.1); })},
      {"elu", {in({3, 4})}, b1([](auto a) { return elu(a, 0.7); })},
      {"selu", {in({3, 4})}, b1([](auto a) { return selu(a); })},
      {"sigmoid", {in({3, 4}, -6, 6)}, b1([](auto a) { return sigmoid(a); })},
      {"hard_sigmoid", {in({12}, -4, 4)}, b1([](auto a) { return hard_sigmoid(a, 0.2); })},
      {"tanh", {in({3, 4})}, b1([](auto a) { return tanh(a); })},
      {"softplus", {in({3, 4}, -8, 8)}, b1([](auto a) { return softplus(a); })},
      {"softsign", {in({3, 4})}, b1([](auto a) { return softsign(a); })},
      {"gelu", {in({3, 4})}, b1([](auto a) { return gelu(a); })},
      {"gelu_tanh", {in({3, 4})}, b1([](auto a) { return gelu(a, true); })},
      {"silu", {in({3, 4})}, b1([](auto a) { return silu(a); })},
      {"mish", {in({3, 4})}, b1([](auto a) { return mish(a); })},
      {"softmax", {in({3, 5})}, b1([](auto a) { return softmax(a); }), true, {{-1, 5}}},
      {"softmax_axis0", {in({4, 3})}, b1([](auto a) { return softmax(a, 0); })},
      {"log_softmax", {in({3, 5}, -20, 20)}, b1([](auto a) { return log_softmax(a); })},
      {"bias_add",
       {in({4, 3}), in({3})},
       b2([](auto a, auto b) { return bias_add(a, b); }),
       true,
       {{-1, 3}, {3}}},
      {"sparse_xent",
       {labels({4}, 5), in({4, 5}, -10, 10)},
       b2([](auto y, auto z) { return sparse_softmax_cross_entropy_with_logits(y, z); }),
       true,
       {{-1}, {-1, 5}}},
      {"softmax_xent", {pos({3, 4}), in({3, 4})}, b2([](auto y, auto z) {
         return softmax_cross_entropy_with_logits(y, z);
       })},
      {"sigmoid_xent", {S{{3, 4}, f, 0, 1, 0, 0}, in({3, 4}, -30, 30)}, b2([](auto y, auto z) {
         return sigmoid_cross_entropy_with_logits(y, z);
       })},
      // Ops without gradients: values only.
      {"equal",
       {in({3}), in({3})},
       b2([](auto a, auto b) { return cast(equal(a, a + b * 0.0), DType::Float32); }),
       false},
      {"less",
       {in({3, 4}), in({4})},
       b2([](auto a, auto b) { return cast(less(a, b), DType::Float32); }),
       false},
      {"greater_equal",
       {in({2, 3}), in({})},
       b2([](auto a, auto b) { return cast(greater_equal(a, b), DType::Float32); }),
       false},
      {"argmax",
       {in({4, 6})},
       b1([](auto a) { return cast(argmax(a, 1), DType::Float32); }),
       false},
      {"one_hot", {labels({5}, 4)}, b1([](auto a) { return one_hot(a, 4); }), false},
      {"sign", {in({6})}, b1([](auto a) { return sign(a); }), false},
      {"floor", {in({6})}, b1([](auto a) { return floor(a); }), false},
      {"zeros_like", {in({2, 2})}, b1([](auto a) { return zeros_like(a) + ones_like(a); }), false},
  };
  return cases;
}

TensorList make_inputs(const OpCase& c, uint64_t seed) {
  TensorList out;
  for (size_t i = 0; i < c.inputs.size(); ++i) {
    const InputSpec& s = c.inputs[i];
    const uint64_t k = seed * 1000 + i + 1;
    if (is_integer(s.dtype)) {
      Tensor u =
          Tensor::random_uniform(s.shape, 0, static_cast<double>(s.int_max), k, DType::Float64);
      out.push_back(cast(floor(u), s.dtype));
      continue;
    }
    Tensor u = Tensor::random_uniform(s.shape, s.lo, s.hi, k, DType::Float64);
    double* v = u.data<double>();
    for (int64_t j = 0; j < u.numel(); ++j)
      if (std::fabs(v[j]) < s.avoid_zero) v[j] = v[j] < 0 ? -s.avoid_zero : s.avoid_zero;
    out.push_back(s.dtype == DType::Float64 ? u : cast(u, s.dtype));
  }
  return out;
}

std::pair<TensorList, FeedDict> graph_inputs(const OpCase& c, const TensorList& x) {
  TensorList phs;
  FeedDict feeds;
  for (size_t i = 0; i < x.size(); ++i) {
    const Shape shape = c.graph_shapes.empty() ? x[i].shape() : c.graph_shapes[i];
    phs.push_back(placeholder(x[i].dtype(), shape, "x" + std::to_string(i)));
    feeds.emplace_back(phs.back(), x[i]);
  }
  return {phs, feeds};
}

double max_rel_diff(const Tensor& a, const Tensor& b) {
  if (a.shape() != b.shape()) return std::numeric_limits<double>::infinity();
  double worst = 0;
  for (int64_t i = 0; i < a.numel(); ++i) {
    const double x = a.at(i), y = b.at(i);
    if (std::isnan(x) || std::isnan(y)) return std::numeric_limits<double>::infinity();
    worst = std::max(worst, std::fabs(x - y) / std::max(1.0, std::fabs(y)));
  }
  return worst;
}

}  // namespace nabla::testing
