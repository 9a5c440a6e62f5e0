// Functional models and the layers a Dense-family Keras file may hold, as real Keras wrote them
// (tf-keras 2 and Keras 3; see data/keras/README.md, "functional/"): every legacy-layout file
// loads in nabla and predicts what Keras predicted, and nabla lists a functional model's layers
// in Keras's order. Keras 3's own weights layout (.weights.h5) and .keras archives are not read
// here.
#include <doctest/doctest.h>

#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>

#include "framework/nabla.h"
#include "keras_manifest.h"

using namespace nabla;
using json = nlohmann::json;

namespace {

const std::string kDir = manifest::functional_dir();

// The files in the legacy layout (model files of both flavors, tf-keras weights files).
bool legacy(const json& entry) {
  return entry.at("layout") == "legacy_h5" &&
         (entry.at("kind") == "model" || entry.at("kind") == "weights");
}

Model load_entry(const json& entry) {
  const std::string file = entry.at("file");
  if (entry.at("kind") == "model") return load_model(kDir + file);
  Model model = model_from_json(entry.at("model_json").get<std::string>());
  model.load_weights(kDir + file);
  return model;
}

// The model config Keras wrote for a case and flavor (the weights entries carry model_json).
json keras_config(const json& files, const std::string& case_name, const std::string& flavor) {
  for (const json& e : files)
    if (e.at("case") == case_name && e.at("flavor") == flavor && e.contains("model_json"))
      return json::parse(e.at("model_json").get<std::string>());
  return nullptr;
}

}  // namespace

TEST_CASE("every legacy-layout functional and layer fixture predicts what Keras predicted") {
  const json m = manifest::functional_manifest();
  const json& files = m.at("files");
  std::set<std::string> cases;
  int checked = 0;
  for (const json& entry : files) {
    if (!legacy(entry)) continue;
    const std::string file = entry.at("file");
    CAPTURE(file);
    reset_layer_names();
    Model model = load_entry(entry);
    NamedTensors x;
    for (const json& in : entry.at("inputs")) {
      const std::string name = in.at("name");
      x[name] = manifest::tensor_from(entry.at("input").at(name));
    }
    const TensorList got = model.predict(x);
    const std::vector<std::string> outputs = model.output_names();
    REQUIRE(got.size() == entry.at("outputs").size());
    REQUIRE(outputs.size() == got.size());
    for (size_t o = 0; o < outputs.size(); ++o) {
      CAPTURE(outputs[o]);
      REQUIRE(entry.at("output").contains(outputs[o]));
      CHECK(manifest::max_relative_diff(
                got[o], manifest::tensor_from(entry.at("output").at(outputs[o]))) < 1e-5);
    }
    cases.insert(entry.at("case").get<std::string>());
    ++checked;
  }
  // 33 cases, each with a model file of each flavor and a tf-keras weights file.
  CHECK(checked == 3 * 33);
  for (const char* c : {"functional_linear",
                        "functional_two_in_two_out",
                        "functional_dict_io",
                        "functional_shared_layer",
                        "functional_nested_sequential",
                        "functional_nested_functional",
                        "merge_add",
                        "merge_add_three",
                        "merge_subtract",
                        "merge_multiply",
                        "merge_average",
                        "merge_maximum",
                        "merge_minimum",
                        "merge_concatenate",
                        "merge_concatenate_axis1",
                        "layer_unit_normalization",
                        "layer_normalization_adapt",
                        "layer_normalization_given",
                        "layer_rescaling",
                        "layer_reshape",
                        "layer_reshape_infer",
                        "layer_permute",
                        "layer_repeat_vector",
                        "layer_relu",
                        "layer_prelu",
                        "layer_prelu_shared_axes",
                        "layer_elu",
                        "layer_softmax",
                        "layer_softmax_axis",
                        "layer_gaussian_noise",
                        "layer_gaussian_dropout",
                        "layer_alpha_dropout",
                        "layer_activity_regularization"}) {
    CAPTURE(c);
    CHECK(cases.count(c) == 1);
  }
}

TEST_CASE("a functional fixture's layers are in the order of Keras's model config") {
  const json m = manifest::functional_manifest();
  const json& files = m.at("files");
  int checked = 0;
  for (const json& entry : files) {
    if (!legacy(entry) || entry.at("model_class") != "Functional") continue;
    const std::string file = entry.at("file");
    CAPTURE(file);
    const json config = keras_config(files, entry.at("case"), entry.at("flavor"));
    REQUIRE(config.is_object());
    std::vector<std::string> keras_order, nabla_order;
    for (const json& l : config.at("config").at("layers"))
      keras_order.push_back(l.contains("name") ? l.at("name").get<std::string>()
                                               : l.at("config").at("name").get<std::string>());
    reset_layer_names();
    const Model model = load_entry(entry);
    for (const LayerPtr& l : model.layers()) nabla_order.push_back(l->name());
    CHECK(nabla_order == keras_order);
    ++checked;
  }
  CHECK(checked == 3 * 15);
}

TEST_CASE("the fixtures' layers hold Keras's weights under Keras's names and order") {
  const json m = manifest::functional_manifest();
  int checked = 0;
  for (const json& entry : m.at("files")) {
    if (!legacy(entry) || entry.at("kind") != "model") continue;
    const std::string file = entry.at("file");
    CAPTURE(file);
    reset_layer_names();
    const Model model = load_model(kDir + file);
    for (const json& layer : entry.at("layers")) {
      if (layer.at("class_name") == "InputLayer") continue;
      const std::string name = layer.at("name");
      CAPTURE(name);
      const LayerPtr l = model.get_layer(name);
      CHECK(l->class_name() == layer.at("class_name"));
      const VariableList ws = l->weights();
      REQUIRE(ws.size() == layer.at("weights").size());
      for (size_t i = 0; i < ws.size(); ++i) {
        const json& w = layer.at("weights")[i];
        CHECK(ws[i].shape() == Shape(w.at("shape").get<std::vector<int64_t>>()));
        // Keras's names end in the weight's own name: "dense/kernel:0", "sequential/prelu/alpha",
        // "count:0" (tf-keras's Normalization); nabla's are "<layer>/<weight>".
        std::string keras_name = w.at("name");
        keras_name = keras_name.substr(0, keras_name.find(':'));
        keras_name = keras_name.substr(keras_name.rfind('/') + 1);
        const std::string& ours = ws[i].name();
        CHECK(ours.substr(ours.rfind('/') + 1) == keras_name);
      }
      ++checked;
    }
  }
  CHECK(checked > 100);
}

TEST_CASE("nested models' calls are numbered as tf-keras numbers them, read and written") {
  // tf-keras counts a nested Functional model's own call, and a nested Sequential's that starts
  // with an InputLayer, as node 0: their first call in the enclosing model is node 1.
  for (const char* name : {"functional_nested_sequential", "functional_nested_functional"}) {
    CAPTURE(name);
    reset_layer_names();
    Model model = load_model(kDir + name + ".tfkeras2.model.h5");
    const json config = json::parse(model.to_json());
    const std::string inner =
        std::string(name) == "functional_nested_sequential" ? "block" : "inner_model";
    for (const json& l : config["config"]["layers"])
      if (l["name"] == "after") CHECK(l["inbound_nodes"][0][0][0] == inner);
    for (const json& l : config["config"]["layers"])
      if (l["name"] == "after") CHECK(l["inbound_nodes"][0][0][1] == 1);
    Model copy = model_from_json(model.to_json());
    copy.set_weights(model.get_weights());
    const Tensor x = Tensor::random_normal({3, 4}, 0, 1, 1);
    CHECK(manifest::max_relative_diff(copy.predict(x), model.predict(x)) == 0.0);
  }
  // A nested model as the output: output_layers names its node 1 too.
  Tensor x = Input({4}, "x"), inner_in = Input({4}, "inner_in");
  Model inner(inner_in, Dense(2, "linear", "inner_dense")(inner_in), "inner");
  Model outer(x, inner(x), "outer");
  const json config = json::parse(outer.to_json());
  CHECK(config["config"]["output_layers"] == json{{"inner", 1, 0}});
  Model copy = model_from_json(outer.to_json());
  copy.set_weights(outer.get_weights());
  const Tensor data = Tensor::random_normal({3, 4}, 0, 1, 2);
  CHECK(manifest::max_relative_diff(copy.predict(data), outer.predict(data)) == 0.0);
}
