// GradientTape beyond the worked examples.
#include <doctest/doctest.h>

#include "framework/nabla.h"

using namespace nabla;

TEST_CASE("a tape records only ops that depend on watched values") {
  Tensor a = Tensor({1.f, 2.f});
  Tensor b = Tensor({3.f, 4.f});
  GradientTape tape;
  tape.watch(a);
  Tensor unrelated = b * b;  // not recorded
  Tensor y = reduce_sum(a * b + unrelated);
  CHECK(tape.gradient(y, a).to_vector<float>() == std::vector<float>{3, 4});
}

TEST_CASE("nested tapes give second derivatives") {
  Tensor x = Tensor::scalar(3);
  GradientTape outer;
  outer.watch(x);
  GradientTape inner;
  inner.watch(x);
  Tensor y = x * x * x;                // y = x^3
  Tensor dy = inner.gradient(y, x);    // 3x^2 = 27, recorded by the outer tape
  Tensor d2y = outer.gradient(dy, x);  // 6x = 18
  CHECK(dy.item<float>() == 27.f);
  CHECK(d2y.item<float>() == 18.f);
}

TEST_CASE("watch_accessed_variables=false watches only what is asked") {
  Variable w(Tensor({2.f}), "w");
  GradientTape tape(false, /*watch_accessed_variables=*/false);
  Tensor y = reduce_sum(w.read() * 3.f);
  CHECK_FALSE(tape.gradient(y, VariableList{w})[0].defined());
}

TEST_CASE("tape errors are clear") {
  GradientTape tape;
  CHECK_THROWS_WITH_AS(tape.watch(Tensor::from_vector<int32_t>({1}, {1})),
                       doctest::Contains("int32"), TypeError);
  Graph g;
  Tensor p = g.placeholder(DType::Float32, {1});
  CHECK_THROWS_AS(tape.watch(p), ValueError);
}
