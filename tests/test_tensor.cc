// Tensors: factories, printing, conversions, views.
#include <doctest/doctest.h>

#include "framework/nabla.h"

using namespace nabla;

TEST_CASE("tensors print like TensorFlow's") {
  CHECK(Tensor::scalar(4).to_string() == "Tensor(4.0, shape=(), dtype=float32)");
  CHECK(Tensor::scalar(3.75).to_string() == "Tensor(3.75, shape=(), dtype=float32)");
  CHECK(Tensor({4.f, 9.f, 25.f}).to_string() == "Tensor([4 9 25], shape=(3,), dtype=float32)");
  CHECK(Tensor({1.f, 2.f, 3.f, 4.f}, {2, 2}).to_string() ==
        "Tensor([[1 2]\n [3 4]], shape=(2, 2), dtype=float32)");
  CHECK(Tensor::from_vector<int64_t>({1, -2}, {2}).to_string() ==
        "Tensor([1 -2], shape=(2,), dtype=int64)");
  CHECK(Tensor::from_vector<bool>({true, false}, {2}).to_string() ==
        "Tensor([True False], shape=(2,), dtype=bool)");
  CHECK(Tensor({0.5f, 0.1f}).to_string() == "Tensor([0.5 0.1], shape=(2,), dtype=float32)");
  const std::string big = Tensor::zeros({2000}).to_string();
  CHECK(big.find("...") != std::string::npos);
  CHECK(big.size() < 100);

  Graph g;
  Tensor p = g.placeholder(DType::Float32, {-1, 3}, "x");
  CHECK(p.to_string() == "Tensor(\"x\", shape=(None, 3), dtype=float32)");
}

TEST_CASE("factories, shapes and conversions") {
  Tensor z = Tensor::zeros({2, 3});
  CHECK(z.shape() == Shape{2, 3});
  CHECK(z.numel() == 6);
  CHECK(z.rank() == 2);
  CHECK(z.dtype() == DType::Float32);
  CHECK(Tensor::full({2}, 7, DType::Int32).to_vector<int32_t>() == std::vector<int32_t>{7, 7});
  CHECK(Tensor::ones({3}, DType::Float64).at(2) == 1.0);
  Tensor v = Tensor({1.f, 2.f, 3.f, 4.f}).view({2, 2});
  CHECK(v.shape() == Shape{2, 2});
  Tensor c = v.clone();
  c.data<float>()[0] = 100;
  CHECK(v.at(0) == 1.0);  // a clone does not share
  Tensor shared = v;
  shared.data<float>()[0] = 50;
  CHECK(v.at(0) == 50.0);  // a copy of the handle does
  CHECK(Shape{-1, 784}.to_string() == "(None, 784)");
  CHECK(Shape{3}.to_string() == "(3,)");
  CHECK(Shape{}.to_string() == "()");
  CHECK_THROWS_AS(Tensor::from_vector<float>({1, 2, 3}, {2, 2}), ShapeError);
  CHECK_THROWS_AS(z.data<double>(), TypeError);
  CHECK_THROWS_AS(z.item<float>(), ShapeError);
  CHECK_THROWS_AS(z.view({4}), ShapeError);
}

TEST_CASE("literals are weakly typed and take the other operand's dtype") {
  Tensor d = Tensor::ones({2}, DType::Float64);
  CHECK((d * 2).dtype() == DType::Float64);
  CHECK((2.5 + d).dtype() == DType::Float64);
  Tensor i = Tensor::full({2}, 3, DType::Int32);
  CHECK((i + 1).to_vector<int32_t>() == std::vector<int32_t>{4, 4});
  CHECK_THROWS_AS(d + Tensor::ones({2}, DType::Float32), TypeError);
}

TEST_CASE("a double literal keeps its precision in float64 arithmetic") {
  Tensor x = Tensor::ones({1}, DType::Float64);
  CHECK((x * 0.1).at(0) == 0.1);
  CHECK((x - 1e-7).at(0) == 1.0 - 1e-7);
}

TEST_CASE("in-place arithmetic writes into the tensor's own memory") {
  Tensor x = Tensor({1.f, 2.f, 3.f, 4.f}, {2, 2});
  Tensor alias = x;
  const void* before = x.raw_data();
  x *= 2.f;
  x += Tensor({10.f, 20.f});  // broadcast over rows
  CHECK(x.raw_data() == before);
  CHECK(alias.to_vector<float>() == std::vector<float>{12, 24, 16, 28});
  CHECK_THROWS_AS(x += Tensor::ones({3}), ShapeError);
  Tensor r = x.rows(1, 2);
  CHECK(r.shape() == Shape{1, 2});
  r /= 4.f;  // a view: writes through
  CHECK(x.to_vector<float>() == std::vector<float>{12, 24, 4, 7});
  CHECK_THROWS_AS(x.rows(1, 3), ShapeError);
  GradientTape tape;
  tape.watch(x);
  CHECK_THROWS_WITH_AS(x *= 2.f, doctest::Contains("GradientTape"), StateError);
}
