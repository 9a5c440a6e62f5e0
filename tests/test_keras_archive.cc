// .keras archives written by real Keras 3 (tests/data/keras/functional, see scripts/keras/
// README.md): nabla predicts what Keras predicted and resumes training from Keras's optimizer
// state; nabla's own archives load back the same; Keras 3's .h5 optimizer state is restored.
#include <doctest/doctest.h>

#include <filesystem>

#include "framework/io/hdf5.h"
#include "framework/keras/keras3_weights.h"
#include "keras_manifest.h"
#include "zip_test_util.h"

using namespace nabla;
using namespace nabla::manifest;

namespace {

// The model's outputs for the manifest's inputs, by output name.
NamedTensors predict_named(Model& model, const nlohmann::json& inputs) {
  const TensorList out = model.predict(named_tensors(inputs));
  NamedTensors by_name;
  for (size_t i = 0; i < out.size(); ++i) by_name[model.output_names()[i]] = out[i];
  return by_name;
}

double worst_output_difference(Model& model, const nlohmann::json& inputs,
                               const nlohmann::json& outputs) {
  const NamedTensors got = predict_named(model, inputs);
  double worst = 0;
  for (const auto& item : outputs.items()) {
    // Not a structured binding: clang 14 cannot capture one in CAPTURE's lambda.
    const std::string& name = item.key();
    const nlohmann::json& rows = item.value();
    CAPTURE(name);
    REQUIRE(got.count(name));
    worst = std::max(worst, max_relative_diff(got.at(name), tensor_from(rows)));
  }
  return worst;
}

// The manifest's files of `layout` whose layers nabla has (the others are reported).
std::vector<nlohmann::json> loadable(const char* layout) {
  std::vector<nlohmann::json> out;
  std::string skipped;
  const nlohmann::json manifest = functional_manifest();
  for (const auto& entry : manifest.at("files")) {
    if (entry.at("layout") != layout || entry.at("kind") == "after_step") continue;
    std::set<std::string> classes;
    for (const auto& l : entry.at("layers")) {
      const std::string cls = l.at("class_name");
      if (cls != "Sequential" && cls != "Functional") classes.insert(cls);
      for (const auto& inner : l.value("layers", nlohmann::json::array()))
        classes.insert(inner.at("class_name").get<std::string>());
    }
    const std::vector<std::string> missing = missing_layers(classes);
    if (!missing.empty()) {
      skipped += " " + entry.at("file").get<std::string>() + " (" + missing[0] + ")";
      continue;
    }
    out.push_back(entry);
  }
  if (!skipped.empty()) MESSAGE("skipped, for want of a layer:" << skipped);
  return out;
}

}  // namespace

TEST_CASE("Keras 3's .keras archives load and predict what Keras predicted (within 1e-5)") {
  int checked = 0;
  for (const auto& entry : loadable("keras_zip")) {
    const std::string file = entry.at("file");
    CAPTURE(file);
    reset_layer_names();
    Model model = load_model(functional_dir() + file);
    CHECK(model.class_name() == entry.at("model_class").get<std::string>());
    CHECK(model.compiled() == entry.at("compiled").get<bool>());
    CHECK(worst_output_difference(model, entry.at("input"), entry.at("output")) < 1e-5);
    ++checked;
  }
  // keras_adam, keras_sgd_momentum, keras_uncompiled, functional_linear and the two nested ones
  // use only Dense and InputLayer.
  CHECK(checked >= 6);
}

TEST_CASE("a model Keras 3 saved mid-training takes Keras's next step (within 1e-5)") {
  int checked = 0;
  for (const auto& entry : loadable("keras_zip")) {
    if (!entry.contains("next_step")) continue;
    const std::string file = entry.at("file");
    CAPTURE(file);
    const nlohmann::json& next = entry.at("next_step");
    reset_layer_names();
    Model model = load_model(functional_dir() + file);
    REQUIRE(model.compiled());
    // The optimizer's state came back: the iteration count of the steps taken before the save
    // (scripts/keras/functional_fixtures.py: each epoch of fit is 16 samples in batches of 8, then
    // steps_after train_on_batch steps).
    const int64_t steps =
        2 * entry.at("epochs_before").get<int64_t>() + entry.at("steps_after").get<int64_t>();
    CHECK(model.optimizer().iterations_value() == steps);

    const NamedTensors x = named_tensors(next.at("batch_x")), y = named_tensors(next.at("batch_y"));
    const int64_t rows = x.begin()->second.shape()[0];
    const History h = model.fit(
        x, y, FitOptions().epochs(1).batch_size(static_cast<int>(rows)).shuffle(false).verbose(0));
    const double keras_loss = next.at("train_on_batch").at("loss");
    CHECK(h.history.at("loss").at(0) == doctest::Approx(keras_loss).epsilon(1e-5));
    CHECK(worst_output_difference(model, entry.at("input"), next.at("output_after")) < 1e-5);

    // Every weight and every optimizer variable equals Keras's after its step.
    Model keras_after = load_model(functional_dir() + file);
    keras_after.load_weights(functional_dir() + next.at("weights_after_file").get<std::string>());
    const TensorList ours = model.get_weights(), theirs = keras_after.get_weights();
    REQUIRE(ours.size() == theirs.size());
    for (size_t i = 0; i < ours.size(); ++i) CHECK(max_relative_diff(ours[i], theirs[i]) < 1e-5);
    const VariableList a = keras3_optimizer_variables(model.optimizer());
    const VariableList b = keras3_optimizer_variables(keras_after.optimizer());
    REQUIRE(a.size() == b.size());
    for (size_t i = 0; i < a.size(); ++i) {
      CAPTURE(a[i].name());
      CHECK(max_relative_diff(a[i].value(), b[i].value()) < 1e-5);
    }
    ++checked;
  }
  CHECK(checked >= 2);  // keras_adam and keras_sgd_momentum
}

TEST_CASE("an uncompiled archive loads uncompiled, and a compiled one before any step fresh") {
  reset_layer_names();
  Model uncompiled = load_model(functional_dir() + "keras_uncompiled.keras3.keras");
  CHECK_FALSE(uncompiled.compiled());
  CHECK(uncompiled.get_layer("block")->class_name() == "Sequential");
  // functional_linear was compiled but never trained: only the iteration and the learning rate.
  Model linear = load_model(functional_dir() + "functional_linear.keras3.keras");
  REQUIRE(linear.compiled());
  CHECK(linear.optimizer().class_name() == "Adam");
  CHECK(linear.optimizer().iterations_value() == 0);
  CHECK(linear.optimizer().learning_rate() == doctest::Approx(1e-3));
  CHECK(linear.loss().name() == "mean_squared_error");
}

TEST_CASE("Keras 3's .weights.h5 loads by Keras's keys whatever the layers are called") {
  int checked = 0;
  for (const auto& entry : loadable("keras3_weights_h5")) {
    const std::string file = entry.at("file");
    CAPTURE(file);
    reset_layer_names();
    Model model = model_from_json(entry.at("model_json").get<std::string>());
    model.load_weights(functional_dir() + file);
    CHECK(worst_output_difference(model, entry.at("input"), entry.at("output")) < 1e-5);
    ++checked;
  }
  CHECK(checked >= 3);
}

TEST_CASE("Keras 3's own .h5 files give back their optimizer state (Keras 3's order)") {
  const std::string file = std::string(NABLA_TEST_DATA) + "/keras/mlp.keras3.model.h5";
  Model model = load_model(file);
  REQUIRE(model.compiled());
  const h5::Group root = h5::open_file(file);
  const h5::Group og = root.group("optimizer_weights");
  CHECK(model.optimizer().iterations_value() == og.read_int("adam/iteration"));
  CHECK(model.optimizer().iterations_value() > 0);
  // The first Dense kernel's momentum, by position in Keras 3's list.
  const VariableList vars = keras3_optimizer_variables(model.optimizer());
  REQUIRE(vars.size() == og.get_string_list("weight_names").size());
  CHECK(max_relative_diff(vars[2].value(), og.read("adam/sequential_dense_kernel_momentum")) ==
        0.0);
}
