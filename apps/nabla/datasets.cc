#include "datasets.h"

#include <cmath>
#include <filesystem>

namespace nabla::cli {
namespace {
using nlohmann::json;

std::vector<std::string> strings(const json& j) {
  return j.is_array() ? j.get<std::vector<std::string>>() : std::vector<std::string>{};
}
}  // namespace

void Preprocessing::apply(Tensor& out) const {
  float* d = out.data<float>();
  const int64_t n = out.shape()[0], width = n ? out.numel() / n : 0;
  if (!mean.empty() && static_cast<int64_t>(mean.size()) != width)
    throw ConfigError("", "the model's standardization has " + std::to_string(mean.size()) +
                              " features but the data has " + std::to_string(width));
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < width; ++j) {
      float v = d[i * width + j] * static_cast<float>(scale);
      if (!mean.empty()) v = (v - mean[j]) / stddev[j];
      d[i * width + j] = v;
    }
}

json Preprocessing::to_json() const {
  return {{"scale", scale},
          {"mean", mean},
          {"stddev", stddev},
          {"classes", classes},
          {"feature_names", feature_names},
          {"allow_non_finite", allow_non_finite}};
}

Preprocessing Preprocessing::from_attributes(const FileAttributes& attributes) {
  Preprocessing p;
  auto it = attributes.find("preprocessing");
  if (it == attributes.end()) return p;
  try {  // the attribute comes from the file: any JSON, of any types
    const json j = json::parse(it->second);
    p.scale = j.value("scale", 1.0);
    p.allow_non_finite = j.value("allow_non_finite", false);
    p.mean = j.value("mean", std::vector<float>{});
    p.stddev = j.value("stddev", std::vector<float>{});
    p.classes = strings(j.value("classes", json::array()));
    p.feature_names = strings(j.value("feature_names", json::array()));
  } catch (const json::exception& e) {
    throw ConfigError("",
                      "the model's preprocessing (attribute nabla_preprocessing) is not "
                      "readable: " +
                          std::string(e.what()));
  }
  if (!p.mean.empty() && (p.mean.size() != p.stddev.size()))
    throw ConfigError("", "the model's preprocessing (attribute nabla_preprocessing) has " +
                              std::to_string(p.mean.size()) + " means but " +
                              std::to_string(p.stddev.size()) + " standard deviations");
  return p;
}

FileAttributes Preprocessing::to_attributes() const {
  return {{"preprocessing", to_json().dump()}};
}

Split load_split(const DataSource& src, Preprocessing& pre, bool first_split) {
  const json& s = src.spec;
  Split out;
  try {
    if (src.format == "idx") {
      out.x = load_idx(s.at("images").get<std::string>());
      if (s.contains("labels")) out.y = load_idx(s.at("labels").get<std::string>());
    } else if (src.format == "npy") {
      out.x = load_npy(s.at("x").get<std::string>());
      if (s.contains("y")) out.y = load_npy(s.at("y").get<std::string>());
    } else if (src.format == "hdf5") {
      const std::string file = s.at("path").get<std::string>();
      out.x = load_hdf5_dataset(file, s.at("x").get<std::string>());
      if (s.contains("y")) out.y = load_hdf5_dataset(file, s.at("y").get<std::string>());
    } else {  // csv
      const std::string file = s.at("path").get<std::string>();
      const std::string label = !s.contains("label") ? std::string()
                                : s["label"].is_string()
                                    ? s["label"].get<std::string>()
                                    : std::to_string(s["label"].get<int64_t>());
      const CsvTable table = read_csv(file);
      LabeledData d = csv_features_labels(
          table, file, label, first_split || pre.classes.empty() ? nullptr : &pre.classes,
          CsvOptions().allow_non_finite(src.allow_non_finite));
      if (first_split) {
        pre.classes = d.classes;
        pre.feature_names = d.feature_names;
      } else if (!pre.feature_names.empty() && d.feature_names != pre.feature_names) {
        throw ConfigError(src.path, "its feature columns differ from the training data's");
      }
      out.x = d.x, out.y = d.y;
    }
  } catch (const ConfigError&) {
    throw;
  } catch (const Error& e) {
    throw ConfigError(src.path, e.what());
  }
  if (out.y.defined() && out.y.shape()[0] != out.x.shape()[0])
    throw ConfigError(src.path, "x has " + std::to_string(out.x.shape()[0]) +
                                    " samples but the labels have " +
                                    std::to_string(out.y.shape()[0]));
  if (out.x.shape()[0] == 0) throw ConfigError(src.path, "the data set is empty");
  if (out.y.defined() && out.y.dtype() != DType::Float32) out.y = cast(out.y, DType::Float32);
  return out;
}

Tensor fit_to_model(const Tensor& x, const Model& model, const std::string& path) {
  const Shape want = model.input_shape();
  Shape per_sample_want = want.erased(0), per_sample = x.shape().erased(0);
  if (per_sample == per_sample_want) return x;
  if (per_sample_want.is_fully_defined() && per_sample.numel() == per_sample_want.numel())
    return x.view(want.rank() ? Shape(per_sample_want).inserted(0, x.shape()[0]) : x.shape());
  throw ConfigError(path, "samples of shape " + per_sample.to_string() + " (" +
                              std::to_string(per_sample.numel()) +
                              " features) do not fit the model's input " + want.to_string());
}

void check_labels(const Tensor& y, const Model& model, const std::string& path) {
  if (!y.defined()) throw ConfigError(path, "has no labels");
  if (model.loss().label_kind() != LabelKind::Sparse) return;
  const int64_t classes = model.output_shape().dim(-1);
  for (int64_t i = 0; i < y.numel(); ++i) {
    const double v = y.at(i);
    if (v < 0 || v >= static_cast<double>(classes) || v != std::floor(v))
      throw ConfigError(
          path,
          "label " +
              (v == std::floor(v) ? std::to_string(static_cast<int64_t>(v)) : std::to_string(v)) +
              " at row " + std::to_string(i) + " is outside [0, " + std::to_string(classes) +
              "): the model has " + std::to_string(classes) + " classes");
  }
}

Tensor load_input(const std::string& file, const std::string& dataset, const Preprocessing& pre) {
  const std::string ext = std::filesystem::path(file).extension().string();
  Tensor x;
  if (ext == ".npy") {
    x = load_npy(file);
  } else if (ext == ".h5" || ext == ".hdf5") {
    if (dataset.empty()) throw ConfigError("--dataset", "an HDF5 input needs --dataset NAME");
    x = load_hdf5_dataset(file, dataset);
  } else if (ext == ".csv") {
    CsvTable table = read_csv(file);
    // Keep the training features (a label column, if present, is dropped).
    if (!pre.feature_names.empty()) {
      CsvTable kept;
      kept.header = pre.feature_names;
      std::vector<size_t> cols;
      for (const std::string& name : pre.feature_names) {
        auto it = std::find(table.header.begin(), table.header.end(), name);
        if (it == table.header.end())
          throw ConfigError("--input",
                            "'" + file + "' has no column '" + name + "' the model was trained on");
        cols.push_back(static_cast<size_t>(it - table.header.begin()));
      }
      for (const auto& row : table.rows) {
        std::vector<std::string> r;
        for (size_t c : cols) r.push_back(row[c]);
        kept.rows.push_back(r);
      }
      kept.lines = table.lines;
      table = kept;
    }
    x = csv_features_labels(table, file, "", nullptr,
                            CsvOptions().allow_non_finite(pre.allow_non_finite))
            .x;
  } else {
    throw ConfigError("--input", "unknown input type '" + ext + "' (expected .csv, .npy or .h5)");
  }
  if (x.dtype() != DType::Float32) x = cast(x, DType::Float32);
  pre.apply(x);
  return x;
}

}  // namespace nabla::cli
