// Graph export to JSON (and back, same results) and to DOT.
#include <doctest/doctest.h>

#include "framework/nabla.h"

using namespace nabla;

TEST_CASE("a graph survives a JSON round trip with the same results") {
  Graph g;
  auto scope = g.as_default();
  Tensor x = placeholder(DType::Float32, {-1, 3}, "x");
  Variable w = g.variable(random_normal({3, 2}, 0, 1, 5), "dense/kernel");
  Tensor y = softmax(matmul(x, w) + constant(Tensor({0.5f, -0.5f}), "bias"));
  Tensor loss = reduce_mean(y * y);
  Tensor grad = gradients(loss, VariableList{w})[0];
  Session sess(g);
  sess.initialize();
  const Tensor input = Tensor::random_uniform({4, 3}, -1, 1, 9);
  TensorList before = sess.run({y, grad}, {{x, input}});

  const std::string json = graph_to_json(g);
  std::unique_ptr<Graph> h = graph_from_json(json);
  CHECK(h->nodes().size() == g.nodes().size());
  Tensor hx = h->node("x").output();
  Tensor hy = h->node(y.name()).output();
  Tensor hgrad = h->node(grad.name()).output();
  Session sess2(*h);
  TensorList after = sess2.run({hy, hgrad}, {{hx, input}});
  CHECK(after[0].to_vector<float>() == before[0].to_vector<float>());
  CHECK(after[1].to_vector<float>() == before[1].to_vector<float>());
  CHECK(graph_to_json(*h) == json);
}

TEST_CASE("malformed graph JSON gives a clear error") {
  CHECK_THROWS_WITH_AS(graph_from_json("{"), doctest::Contains("does not parse"), ValueError);
  CHECK_THROWS_WITH_AS(graph_from_json("{\"nodes\": []}"), doctest::Contains("nabla-graph"),
                       ValueError);
  CHECK_THROWS_WITH_AS(
      graph_from_json(
          R"({"format":"nabla-graph","nodes":[{"name":"a","op":"Add","inputs":["b","c"],"attrs":{}}]})"),
      doctest::Contains("no node named 'b'"), NotFoundError);
}

TEST_CASE("DOT export shows every node and edge") {
  Graph g;
  auto scope = g.as_default();
  Tensor x = placeholder(DType::Float32, {2}, "x");
  Tensor y = x * 2.f;
  const std::string dot = graph_to_dot(g);
  CHECK(dot.rfind("digraph", 0) == 0);
  CHECK(dot.find("x\\nPlaceholder") != std::string::npos);
  CHECK(dot.find(y.name() + "\\nMul") != std::string::npos);
  CHECK(dot.find("->") != std::string::npos);
}
