// Files written by real Keras (tf-keras 2 and Keras 3; see data/keras/README.md) load in nabla
// and give the predictions Keras computed.
#include <doctest/doctest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "framework/nabla.h"
#include "keras_manifest.h"

using namespace nabla;
using nabla::manifest::tensor_from;

TEST_CASE("every Keras fixture loads and predicts what Keras predicted (within 1e-5)") {
  const std::string dir = std::string(NABLA_TEST_DATA) + "/keras/";
  std::ifstream in(dir + "manifest.json");
  REQUIRE(in.good());
  const nlohmann::json manifest = nlohmann::json::parse(in);
  int checked = 0;
  for (const auto& entry : manifest.at("files")) {
    const std::string file = entry.at("file");
    CAPTURE(file);
    reset_layer_names();
    Sequential model = entry.at("kind") == "model"
                           ? load_model(dir + file)
                           : model_from_json(entry.at("model_json").get<std::string>());
    if (entry.at("kind") != "model") model.load_weights(dir + file);
    const Tensor x = tensor_from(entry.at("input"));
    const Tensor expected = tensor_from(entry.at("output"));
    const Tensor got = model.predict(x);
    REQUIRE(got.numel() == expected.numel());
    double worst = 0;
    for (int64_t i = 0; i < got.numel(); ++i)
      worst = std::max(
          worst, std::fabs(got.at(i) - expected.at(i)) / std::max(1.0, std::fabs(expected.at(i))));
    CHECK(worst < 1e-5);
    ++checked;
  }
  CHECK(checked >= 100);
}
