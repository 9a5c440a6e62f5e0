// Reading tests/data/keras/functional/manifest.json: the fixtures real Keras wrote, with their
// inputs and Keras's outputs (see scripts/keras/README.md).
#pragma once

#include <cmath>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "framework/nabla.h"

namespace nabla::manifest {

inline std::string functional_dir() {
  return std::string(NABLA_TEST_DATA) + "/keras/functional/";
}

inline nlohmann::json functional_manifest() {
  std::ifstream in(functional_dir() + "manifest.json");
  return nlohmann::json::parse(in);
}

/// Nested lists of numbers (rows first) as a float32 tensor.
inline Tensor tensor_from(const nlohmann::json& rows) {
  std::vector<float> values;
  Shape shape{static_cast<int64_t>(rows.size())};
  std::function<void(const nlohmann::json&, int)> walk = [&](const nlohmann::json& j, int depth) {
    if (j.is_array()) {
      if (depth == static_cast<int>(shape.rank())) shape.push_back(static_cast<int64_t>(j.size()));
      for (const auto& e : j) walk(e, depth + 1);
    } else {
      values.push_back(j.get<float>());
    }
  };
  for (const auto& r : rows) walk(r, 1);
  return Tensor::from_vector(values, shape);
}

/// {"name": rows, ...} as tensors by name.
inline NamedTensors named_tensors(const nlohmann::json& by_name) {
  NamedTensors out;
  for (const auto& [name, rows] : by_name.items()) out[name] = tensor_from(rows);
  return out;
}

/// The layer classes a model config uses, nested models included.
inline void layer_classes(const nlohmann::json& model, std::set<std::string>& out) {
  for (const auto& l : model.at("config").at("layers")) {
    const std::string cls = l.at("class_name");
    if (cls == "Sequential" || cls == "Functional") {
      layer_classes(l, out);
    } else {
      out.insert(cls);
    }
  }
}

/// The classes of `classes` that nabla has no layer for (the case is skipped until it has).
inline std::vector<std::string> missing_layers(const std::set<std::string>& classes) {
  std::vector<std::string> missing;
  for (const std::string& c : classes)
    if (!LayerRegistry::global().contains(c)) missing.push_back(c);
  return missing;
}

/// Largest |a - b| / max(1, |b|) over two tensors of equal size.
inline double max_relative_diff(const Tensor& a, const Tensor& b) {
  if (a.numel() != b.numel()) return INFINITY;
  double worst = 0;
  for (int64_t i = 0; i < a.numel(); ++i)
    worst = std::max(worst, std::fabs(a.at(i) - b.at(i)) / std::max(1.0, std::fabs(b.at(i))));
  return worst;
}

}  // namespace nabla::manifest
