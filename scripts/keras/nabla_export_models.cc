// nabla_export_models OUT_DIR: one tiny model per layer, activation and optimizer nabla supports,
// and the Functional models of export_functional_cases.cc, saved with Model::save
// (<case>.model.h5, <case>.keras) and save_weights (<case>.weights.h5, .legacy_weights.h5), plus
// OUT_DIR/manifest.json with each case's input rows (by input name when there are several),
// nabla's predictions and model.to_json().
// scripts/keras/check_nabla_files.py then loads every file with real Keras and compares.
//
// Every file is first read back by nabla itself (load_model; model_from_json + load_weights), so
// a difference seen by Keras is not one nabla would see too; a failed round trip is exit code 1.
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include <nabla/nabla.h>

#include "export_case.h"

using namespace nabla;
using nabla::keras_export::Case;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

constexpr int64_t kRows = 5;

// FNV-1a: a seed per case that does not depend on the standard library's std::hash.
uint64_t seed_of(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h & 0x7fffffff;
}

Shape with_rows(const Shape& shape, int64_t rows) {
  return shape.inserted(0, rows);
}

// Non-trivial weights (Keras's initial ones are zeros and ones for biases and statistics, which
// would hide a swapped gamma/beta or mean/variance). Variances and scales stay positive.
// A Normalization's statistics (mean, variance, count) keep what adapt() computed.
void randomize_weights(Model& model, uint64_t seed) {
  TensorList values;
  for (const Variable& v : model.weights()) {
    const std::string& n = v.name();
    const auto ends_with = [&n](const std::string& s) {
      return n.size() >= s.size() && n.compare(n.size() - s.size(), s.size(), s) == 0;
    };
    if (ends_with("/mean") || ends_with("/variance") || ends_with("/count")) {
      values.push_back(v.value());
      continue;
    }
    const bool positive = n.find("moving_variance") != std::string::npos;
    const bool scale = n.find("gamma") != std::string::npos;
    const double lo = positive ? 0.5 : scale ? 0.5 : -1.0, hi = positive ? 2.0 : scale ? 1.5 : 1.0;
    values.push_back(Tensor::random_uniform(v.shape(), lo, hi, ++seed));
  }
  model.set_weights(values);
}

json rows_to_json(const Tensor& t) {
  // Row-major, nested as the tensor's shape; float32 -> double is exact.
  std::function<json(int, int64_t&)> nest = [&](int axis, int64_t& at) {
    json out = json::array();
    for (int64_t i = 0; i < t.shape()[axis]; ++i) {
      if (axis + 1 == t.rank())
        out.push_back(static_cast<double>(t.at(at++)));
      else
        out.push_back(nest(axis + 1, at));
    }
    return out;
  };
  int64_t at = 0;
  return nest(0, at);
}

double max_abs_diff(const Tensor& a, const Tensor& b) {
  if (a.shape() != b.shape()) return INFINITY;
  double worst = 0;
  for (int64_t i = 0; i < a.numel(); ++i) worst = std::max(worst, std::fabs(a.at(i) - b.at(i)));
  return worst;
}

// A case that is saved uncompiled.
Case plain(std::string name, Shape input_shape, std::function<Sequential()> build) {
  return {std::move(name), {input_shape}, std::move(build), nullptr, 0, nullptr};
}

OptimizerRef adam() {
  return Adam(1e-2);
}

// A case compiled with Adam and trained two epochs before saving, so that moving statistics and
// optimizer state are not their initial values.
Case trained(std::string name, Shape input_shape, std::function<Sequential()> build) {
  return {std::move(name), {input_shape}, std::move(build), adam, 2, nullptr};
}

std::vector<Case> cases() {
  std::vector<Case> out;
  for (const std::string& act : ActivationFn::names())
    out.push_back(plain("dense_" + act, {4}, [act] {
      return Sequential({Input({4}), Dense(3, act)});
    }));
  // Keras 2's hard_sigmoid, clip(0.2 x + 0.5), as nabla reads it from a Keras 2 file.
  out.push_back(plain("dense_hard_sigmoid_keras2", {4}, [] {
    KerasVersionScope keras2(2);
    return Sequential({Input({4}), Dense(3, "hard_sigmoid")});
  }));
  out.push_back(plain("dense_nobias", {5}, [] {
    return Sequential({Input({5}), Dense(DenseOptions(3).use_bias(false))});
  }));
  out.push_back(plain("activation_layer", {4}, [] {
    return Sequential({Input({4}), Dense(4), Activation("tanh"), Dense(2)});
  }));
  out.push_back(plain("leakyrelu_layer", {4}, [] {
    return Sequential({Input({4}), Dense(4), LeakyReLU(0.15), Dense(2)});
  }));
  out.push_back(plain("dropout", {4}, [] {
    return Sequential({Input({4}), Dense(5, "relu"), Dropout(0.5), Dense(2)});
  }));
  out.push_back(plain("flatten", {2, 3}, [] {
    return Sequential({Input({2, 3}), Flatten(), Dense(3, "relu")});
  }));
  out.push_back(trained("batchnorm", {4}, [] {
    return Sequential({Input({4}), Dense(5), BatchNormalization(), Dense(2)});
  }));
  auto normalized = [](BatchNormalizationOptions o) {
    return [o] { return Sequential({Input({4}), BatchNormalization(o), Dense(2)}); };
  };
  out.push_back(trained("batchnorm_nocenter", {4},
                        normalized(BatchNormalizationOptions().center(false).epsilon(0.01))));
  out.push_back(trained("batchnorm_noscale", {4},
                        normalized(BatchNormalizationOptions().scale(false).momentum(0.9))));
  out.push_back(plain("layernorm", {5}, [] {
    return Sequential({Input({5}), Dense(4), LayerNormalization(), Dense(2)});
  }));
  out.push_back(trained("mlp", {6}, [] {
    return Sequential({Input({6}), Dense(16, "relu"), Dropout(0.2), BatchNormalization(),
                       Dense(8, "tanh"), LeakyReLU(0.1), Activation("swish"), LayerNormalization(),
                       Dense(DenseOptions(8).use_bias(false)), Dense(3, "softmax")});
  }));
  // One model per optimizer class, trained two epochs so that its state (optimizer_weights) is
  // not the initial one, one following a learning-rate schedule, and one compiled but untrained.
  const std::pair<const char*, std::function<OptimizerRef()>> optimizers[] = {
      {"sgd", [] { return OptimizerRef(SGD(SGDOptions(0.05).momentum(0.9).nesterov(true))); }},
      {"adam", [] { return OptimizerRef(Adam(AdamOptions(2e-3).amsgrad(true))); }},
      {"adamw", [] { return OptimizerRef(AdamW(AdamWOptions(2e-3).weight_decay(0.01))); }},
      {"rmsprop",
       [] { return OptimizerRef(RMSprop(RMSpropOptions(1e-3).momentum(0.5).centered(true))); }},
      {"adagrad", [] { return OptimizerRef(Adagrad(AdagradOptions(0.01))); }},
      {"nadam", [] { return OptimizerRef(Nadam(NadamOptions(2e-3))); }},
      {"sgd_schedule",
       [] {
         return OptimizerRef(
             SGD(SGDOptions().schedule(std::make_shared<ExponentialDecay>(0.1, 2, 0.5))));
       }},
  };
  auto small = [] { return Sequential({Input({3}), Dense(4, "relu"), Dense(2)}); };
  for (const auto& [name, make] : optimizers)
    out.push_back({std::string("optimizer_") + name, {{3}}, small, make, 2, nullptr});
  out.push_back({"compiled_untrained", {{3}}, small, adam, 0, nullptr});
  for (Case& c : keras_export::functional_cases()) out.push_back(std::move(c));
  return out;
}

// Every output of `model` for `x` (one tensor per input).
TensorList predict_all(Model& model, const TensorList& x) {
  return model.predict(x);
}

double max_abs_diff(const TensorList& a, const TensorList& b) {
  if (a.size() != b.size()) return INFINITY;
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, max_abs_diff(a[i], b[i]));
  return worst;
}

// The largest difference between two optimizers' state, in Keras's order.
double state_diff(const Optimizer& saved_opt, const Optimizer& read_opt) {
  const VariableList saved = saved_opt.variables_in_keras_order();
  const VariableList read = read_opt.variables_in_keras_order();
  double d = saved.size() == read.size() ? 0 : INFINITY;
  for (size_t i = 0; i < saved.size() && d == 0; ++i)
    d = max_abs_diff(saved[i].value(), read[i].value());
  return d;
}

// Compiles and trains a one-output case as its `optimizer` and `train_epochs` say.
void train_simple(const Case& c, Model& model, uint64_t seed) {
  const int64_t classes = model.output_shape().dim(-1);
  const bool softmax = c.name == "mlp";
  model.compile(c.optimizer(), softmax ? "categorical_crossentropy" : "mse",
                {softmax ? "accuracy" : "mae"});
  if (c.train_epochs == 0) return;
  const Tensor xt = Tensor::random_normal(with_rows(c.input_shapes[0], 16), 0, 1, seed + 2000);
  Tensor yt = Tensor::zeros({16, classes});
  for (int64_t i = 0; i < 16; ++i) yt.data<float>()[i * classes + i % classes] = 1.f;
  model.fit(xt, yt, FitOptions().epochs(c.train_epochs).batch_size(8).seed(seed).verbose(0));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: nabla_export_models OUT_DIR\n";
    return 2;
  }
  const fs::path dir = argv[1];
  fs::create_directories(dir);
  json manifest = {{"generator", "scripts/keras/nabla_export_models.cc"},
                   {"keras_version_written", kKerasVersion},
                   {"cases", json::array()}};
  int failures = 0;
  for (const Case& c : cases()) {
    reset_layer_names();
    const uint64_t seed = seed_of(c.name);
    set_seed(seed);
    Model model = c.build();
    if (!model.built()) model.build(c.input_shapes[0]);
    randomize_weights(model, seed);
    TensorList x;
    for (size_t i = 0; i < c.input_shapes.size(); ++i)
      x.push_back(
          Tensor::random_normal(with_rows(c.input_shapes[i], kRows), 0, 1, seed + 1000 + i));
    if (c.train)
      c.train(model, seed);
    else if (c.optimizer)
      train_simple(c, model, seed);
    const TensorList y = predict_all(model, x);
    // Weights in both layouts, chosen by extension: Keras 2's (".h5") and Keras 3's native one
    // (".weights.h5", which only Keras 3 reads); the model as .h5 and as a .keras archive.
    const std::string model_file = c.name + ".model.h5";
    const std::string archive_file = c.name + ".keras";
    const std::string weights_file = c.name + ".legacy_weights.h5";
    const std::string native_weights_file = c.name + ".weights.h5";
    model.save((dir / model_file).string());
    // nabla refuses what a .keras archive cannot hold (Keras 2's hard_sigmoid): recorded.
    std::string archive_refused;
    try {
      model.save((dir / archive_file).string());
    } catch (const Error& e) {
      archive_refused = e.what();
    }
    model.save_weights((dir / weights_file).string());
    model.save_weights((dir / native_weights_file).string());

    // nabla's own reading of the files it wrote.
    Model loaded = load_model((dir / model_file).string());
    Model loaded_archive =
        archive_refused.empty() ? load_model((dir / archive_file).string()) : loaded;
    Model rebuilt = model_from_json(model.to_json());
    rebuilt.load_weights((dir / weights_file).string());
    Model rebuilt_native = model_from_json(model.to_json());
    rebuilt_native.load_weights((dir / native_weights_file).string());
    const double d_model = std::max(max_abs_diff(predict_all(loaded, x), y),
                                    max_abs_diff(predict_all(loaded_archive, x), y));
    const double d_weights = std::max(max_abs_diff(predict_all(rebuilt, x), y),
                                      max_abs_diff(predict_all(rebuilt_native, x), y));
    // The optimizer state too, which load_model matches by name (.h5) or position (.keras).
    double d_state = 0;
    if (model.compiled())
      d_state = std::max(state_diff(model.optimizer(), loaded.optimizer()),
                         state_diff(model.optimizer(), loaded_archive.optimizer()));
    const bool ok = d_model == 0 && d_weights == 0 && d_state == 0;
    if (!ok) {
      ++failures;
      std::cerr << "nabla round trip of " << c.name << " differs: load_model " << d_model
                << ", model_from_json + load_weights " << d_weights << ", optimizer state "
                << d_state << "\n";
    }
    json entry = {{"case", c.name},
                  {"model_file", model_file},
                  {"archive_file", archive_file},
                  {"weights_file", weights_file},
                  {"native_weights_file", native_weights_file},
                  {"input_names", model.input_names()},
                  {"output_names", model.output_names()},
                  {"model_json", model.to_json()},
                  {"compiled", model.compiled()},
                  {"trained_epochs", c.train_epochs},
                  {"nabla_round_trip_ok", ok}};
    // One input: its rows; several: rows by input name (Keras takes a dict by model.inputs'
    // names). Outputs likewise: rows, or a list in model.outputs order.
    if (!archive_refused.empty()) entry["archive_refused"] = archive_refused;
    if (x.size() == 1) {
      entry["input_shape"] = c.input_shapes[0].to_vector();
      entry["input"] = rows_to_json(x[0]);
    } else {
      entry["inputs"] = json::object();
      for (size_t i = 0; i < x.size(); ++i)
        entry["inputs"][model.input_names()[i]] = rows_to_json(x[i]);
    }
    if (y.size() == 1) {
      entry["output"] = rows_to_json(y[0]);
    } else {
      entry["outputs"] = json::array();
      for (const Tensor& t : y) entry["outputs"].push_back(rows_to_json(t));
    }
    if (model.compiled()) {
      entry["optimizer"] = model.optimizer().class_name();
      entry["optimizer_iterations"] = model.optimizer().iterations_value();
    }
    manifest["cases"].push_back(entry);
    std::cout << (ok ? "ok   " : "FAIL ") << c.name << "\n";
  }
  std::ofstream(dir / "manifest.json") << manifest.dump(1) << "\n";
  std::cout << "wrote " << manifest["cases"].size() << " cases to " << dir.string() << "\n";
  return failures ? 1 : 0;
}
