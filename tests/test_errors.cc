// Shape inference at graph construction, and the messages of its errors.
#include <doctest/doctest.h>

#include "framework/nabla.h"
#include "framework/ops/dispatch.h"  // apply_op

using namespace nabla;

TEST_CASE("a shape mismatch throws a ShapeError naming the op and both shapes") {
  Graph g;
  auto scope = g.as_default();
  Tensor a = placeholder(DType::Float32, {2, 3}, "a");
  Tensor b = placeholder(DType::Float32, {4}, "b");
  CHECK_THROWS_WITH_AS(a + b,
                       doctest::Contains("Add 'Add': shapes (2, 3) and (4,) cannot be broadcast"),
                       ShapeError);
  Tensor m = placeholder(DType::Float32, {5, 7}, "m");
  CHECK_THROWS_WITH_AS(matmul(a, m), doctest::Contains("MatMul 'MatMul': inner dimensions differ"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(matmul(a, m), doctest::Contains("(2, 3)"), ShapeError);
  CHECK_THROWS_WITH_AS(reshape(a, {4, 2}), doctest::Contains("cannot reshape (2, 3)"), ShapeError);
  CHECK_THROWS_WITH_AS(reduce_sum(a, {2}), doctest::Contains("axis 2 is out of range for rank 2"),
                       ShapeError);
  CHECK_THROWS_AS(concat({a, m}, 0), ShapeError);
  CHECK_THROWS_AS(transpose(a, {0, 0}), ShapeError);
  CHECK_THROWS_WITH_AS(a + placeholder(DType::Int32, {2, 3}),
                       doctest::Contains("different dtypes (float32 and int32)"), TypeError);
}

TEST_CASE("unknown names suggest the nearest valid one") {
  CHECK_THROWS_WITH_AS(apply_op("Relux", {Tensor({1.f})}), doctest::Contains("did you mean 'Relu'"),
                       NotFoundError);
  CHECK(did_you_mean("sofmax", {"softmax", "relu"}) == " (did you mean 'softmax'?)");
  CHECK(did_you_mean("zzzzzz", {"softmax", "relu"}) == "");
}

TEST_CASE("names are unique and readable, with name scopes") {
  Graph g;
  auto scope = g.as_default();
  Tensor a = placeholder(DType::Float32, {}, "a");
  Tensor s1 = a + a, s2 = a + a;
  CHECK(s1.name() == "Add");
  CHECK(s2.name() == "Add_1");
  {
    auto ns = g.name_scope("dense");
    Variable k = g.variable(Tensor::ones({2}), "kernel");
    CHECK(k.name() == "dense/kernel");
    CHECK((a * a).name() == "dense/Mul");
  }
  CHECK_THROWS_WITH_AS(g.node("Ad"), doctest::Contains("did you mean"), NotFoundError);
}

TEST_CASE("bad kernel input at run time is an error, not a crash") {
  CHECK_THROWS_WITH_AS(sparse_softmax_cross_entropy_with_logits(
                           Tensor::from_vector<int32_t>({0, 7}, {2}), Tensor::zeros({2, 3})),
                       doctest::Contains("label 7 at row 1 is outside [0, 3)"), ValueError);
  CHECK_THROWS_WITH_AS(Tensor::full({2}, 1, DType::Int32) / Tensor::zeros({2}, DType::Int32),
                       doctest::Contains("integer division by zero"), ValueError);
  CHECK_THROWS_AS(dropout(Tensor({1.f}), 1.0), ValueError);
}
