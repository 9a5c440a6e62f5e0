// A nabla Graph as a TensorFlow GraphDef, decoded with the independent reader in
// tfevent_reader.h.
#include <doctest/doctest.h>

#include <algorithm>

#include "framework/graph/graph.h"
#include "framework/ops/ops.h"
#include "framework/tensorboard/graph_def.h"
#include "tfevent_reader.h"

using namespace nabla;
using namespace nabla::tensorboard;

TEST_CASE("graph_def exports names, ops, inputs, control inputs, dtypes and shapes") {
  Graph g;
  auto scope = g.as_default();
  Tensor x = placeholder(DType::Float32, {-1, 3}, "x");
  Tensor y, out;
  {
    auto dense = g.name_scope("dense");
    y = matmul(x, constant(Tensor::ones({3, 2})));
  }
  Tensor count = constant(Tensor::scalar(4, DType::Int64), "count");
  out = g.add_operation(op::Identity, {y}, {}, "out", {count.node()});
  const auto nodes = tfevents::parse_graph(graph_def(g));
  std::map<std::string, tfevents::Node> by_name;
  for (const auto& n : nodes) by_name[n.name] = n;
  CAPTURE(nodes.size());
  REQUIRE(by_name.count("x"));
  CHECK(by_name["x"].op == "Placeholder");
  CHECK(by_name["x"].attr_type("dtype") == 1);  // DT_FLOAT
  CHECK(by_name["x"].output_shapes() == std::vector<std::vector<int64_t>>{{-1, 3}});
  CHECK(by_name["count"].attr_type("dtype") == 9);  // DT_INT64
  CHECK(by_name["count"].output_shapes() == std::vector<std::vector<int64_t>>{{}});

  const std::string mm = y.node()->name();
  CHECK(mm == "dense/MatMul");
  REQUIRE(by_name.count(mm));
  CHECK(by_name[mm].op == "MatMul");
  CHECK(by_name[mm].attr_type("T") == 1);
  CHECK(by_name[mm].inputs.size() == 2);
  CHECK(by_name[mm].inputs[0] == "x");
  CHECK(by_name[mm].output_shapes() == std::vector<std::vector<int64_t>>{{-1, 2}});
  CHECK(by_name[mm].attrs.count("transpose_a"));  // nabla's own attributes come along

  CHECK(by_name["out"].inputs == std::vector<std::string>{mm, "^count"});

  SUBCASE("with fetches: only their ancestors") {
    const auto pruned = tfevents::parse_graph(graph_def(g, {y}));
    std::vector<std::string> names;
    for (const auto& n : pruned) names.push_back(n.name);
    CHECK(std::find(names.begin(), names.end(), "out") == names.end());
    CHECK(std::find(names.begin(), names.end(), "count") == names.end());
    CHECK(std::find(names.begin(), names.end(), mm) != names.end());
    CHECK(std::find(names.begin(), names.end(), "x") != names.end());
  }
  CHECK(tf_data_type(DType::Float64) == 2);
  CHECK(tf_data_type(DType::Int32) == 3);
  CHECK(tf_data_type(DType::Bool) == 10);
}
