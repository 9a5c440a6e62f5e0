// nabla_export_models OUT_DIR: one tiny model per layer, activation and optimizer nabla supports,
// saved with Model::save (<case>.model.h5) and save_weights (<case>.weights.h5), plus
// OUT_DIR/manifest.json with each case's input rows, nabla's predictions and model.to_json().
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

using namespace nabla;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

constexpr int64_t kRows = 5;

struct Case {
  std::string name;
  Shape input_shape;  // without the batch axis
  std::function<Sequential()> build;
  std::function<OptimizerRef()> optimizer;  // empty: not compiled
  int train_epochs = 0;  // fit before saving (moving statistics, optimizer state)
};

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
void randomize_weights(Sequential& model, uint64_t seed) {
  TensorList values;
  for (const Variable& v : model.weights()) {
    const std::string& n = v.name();
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
  return {std::move(name), input_shape, std::move(build), nullptr, 0};
}

OptimizerRef adam() {
  return Adam(1e-2);
}

// A case compiled with Adam and trained two epochs before saving, so that moving statistics and
// optimizer state are not their initial values.
Case trained(std::string name, Shape input_shape, std::function<Sequential()> build) {
  return {std::move(name), input_shape, std::move(build), adam, 2};
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
    out.push_back({std::string("optimizer_") + name, {3}, small, make, 2});
  out.push_back({"compiled_untrained", {3}, small, adam, 0});
  return out;
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
    Sequential model = c.build();
    if (!model.built()) model.build(c.input_shape);
    randomize_weights(model, seed);
    const Tensor x = Tensor::random_normal(with_rows(c.input_shape, kRows), 0, 1, seed + 1000);
    if (c.optimizer) {
      const int64_t classes = model.output_shape().dim(-1);
      const bool softmax = c.name == "mlp";
      model.compile(c.optimizer(), softmax ? "categorical_crossentropy" : "mse",
                    {softmax ? "accuracy" : "mae"});
      if (c.train_epochs > 0) {
        const Tensor xt = Tensor::random_normal(with_rows(c.input_shape, 16), 0, 1, seed + 2000);
        Tensor yt = Tensor::zeros({16, classes});
        for (int64_t i = 0; i < 16; ++i) yt.data<float>()[i * classes + i % classes] = 1.f;
        model.fit(xt, yt, FitOptions().epochs(c.train_epochs).batch_size(8).seed(seed).verbose(0));
      }
    }
    const Tensor y = model.predict(x);
    const std::string model_file = c.name + ".model.h5", weights_file = c.name + ".weights.h5";
    model.save((dir / model_file).string());
    model.save_weights((dir / weights_file).string());

    // nabla's own reading of the files it wrote.
    Sequential loaded = load_model((dir / model_file).string());
    Sequential rebuilt = model_from_json(model.to_json());
    rebuilt.load_weights((dir / weights_file).string());
    const double d_model = max_abs_diff(loaded.predict(x), y);
    const double d_weights = max_abs_diff(rebuilt.predict(x), y);
    // The optimizer state too, which load_model matches by name.
    double d_state = 0;
    if (model.compiled()) {
      const VariableList saved = model.optimizer().variables_in_keras_order();
      const VariableList read = loaded.optimizer().variables_in_keras_order();
      d_state = saved.size() == read.size() ? 0 : INFINITY;
      for (size_t i = 0; i < saved.size() && d_state == 0; ++i)
        d_state = max_abs_diff(saved[i].value(), read[i].value());
    }
    const bool ok = d_model == 0 && d_weights == 0 && d_state == 0;
    if (!ok) {
      ++failures;
      std::cerr << "nabla round trip of " << c.name << " differs: load_model " << d_model
                << ", model_from_json + load_weights " << d_weights << ", optimizer state "
                << d_state << "\n";
    }
    json entry = {{"case", c.name},
                  {"model_file", model_file},
                  {"weights_file", weights_file},
                  {"input_shape", c.input_shape.to_vector()},
                  {"input", rows_to_json(x)},
                  {"output", rows_to_json(y)},
                  {"model_json", model.to_json()},
                  {"compiled", model.compiled()},
                  {"trained_epochs", c.train_epochs},
                  {"nabla_round_trip_ok", ok}};
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
