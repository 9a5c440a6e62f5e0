#include "model_data.h"

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <optional>

#include "framework/io/zip_archive.h"
#include "framework/keras/compile_config.h"

namespace nabla::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// The entries of `key` ("inputs" or "targets") by model name; a source's single form (x, y or
// label) stands for the only input or output. Every name is the model's, and each has one.
std::map<std::string, json> entries(const DataSource& src, const char* key, const char* single,
                                    const std::vector<std::string>& names, const char* what) {
  const json& s = src.spec;
  const std::string path = src.path + "." + key;
  std::map<std::string, json> out;
  if (s.contains(key)) {
    for (const auto& [name, value] : s[key].items()) {
      if (std::find(names.begin(), names.end(), name) == names.end())
        throw ConfigError(path + "." + name, "the model has no " + std::string(what) + " '" + name +
                                                 "' (its " + what + "s: " + join(names) + ")" +
                                                 did_you_mean(name, names));
      out[name] = value;
    }
    for (const std::string& name : names)
      if (!out.count(name))
        throw ConfigError(path, "no entry for the model's " + std::string(what) + " '" + name +
                                    "' (its " + what + "s: " + join(names) + ")");
  } else if (s.contains(single)) {
    if (names.size() != 1)
      throw ConfigError(src.path, "the model has " + std::to_string(names.size()) + " " + what +
                                      "s (" + join(names) + "): name the data of each in \"" + key +
                                      "\"");
    out[names[0]] = s[single];
  }
  return out;
}

// Columns of a CSV table as float32 [rows, columns]; a single name (not a list) as [rows].
Tensor csv_columns(const CsvTable& table, const std::string& file, const json& columns) {
  const std::vector<std::string> names = columns.is_array()
                                             ? columns.get<std::vector<std::string>>()
                                             : std::vector<std::string>{columns.get<std::string>()};
  CsvTable picked;
  picked.header = names;
  std::vector<size_t> index;
  for (const std::string& name : names) {
    auto it = std::find(table.header.begin(), table.header.end(), name);
    if (it == table.header.end())
      throw ValueError("CSV file '" + file + "' has no column '" + name + "'" +
                       did_you_mean(name, table.header));
    index.push_back(static_cast<size_t>(it - table.header.begin()));
  }
  for (const auto& row : table.rows) {
    std::vector<std::string> r;
    for (size_t c : index) r.push_back(c < row.size() ? row[c] : "");
    picked.rows.push_back(std::move(r));
  }
  Tensor x = csv_features_labels(picked, file, "").x;
  return columns.is_array() ? x : x.view({x.shape()[0]});
}

Tensor load_entry(const DataSource& src, const json& value, const CsvTable* table) {
  const json& s = src.spec;
  if (src.format == "npy") return load_npy(value.get<std::string>());
  if (src.format == "hdf5")
    return load_hdf5_dataset(s.at("path").get<std::string>(), value.get<std::string>());
  return csv_columns(*table, s.at("path").get<std::string>(), value);
}

// One array of an .npz file (NumPy's zip of NAME.npy members), through a temporary file so that
// the .npy reader checks it as it checks any .npy file.
Tensor load_npz_array(const std::string& file, const std::string& name) {
  const ZipReader zip(file);
  const std::string member = name + ".npy";
  if (!zip.has(member)) {
    std::string have;
    for (const ZipEntry& e : zip.entries()) have += (have.empty() ? "" : ", ") + e.name;
    throw ConfigError("--input",
                      "'" + file + "' has no array '" + name + "' (it has: " + have + ")");
  }
  static int counter = 0;
  const fs::path temp = fs::temp_directory_path() / ("nabla_npz_" + std::to_string(getpid()) + "_" +
                                                     std::to_string(counter++) + ".npy");
  struct Remove {
    fs::path p;
    ~Remove() {
      std::error_code ignored;
      fs::remove(p, ignored);
    }
  } remove{temp};
  zip.extract_to(member, temp.string());
  return load_npy(temp.string());
}

}  // namespace

Model build_model(const RunConfig& rc) {
  Model model;
  try {
    model = model_from_config(rc.model());
  } catch (const Error& e) {
    throw ConfigError("model.config", e.what());
  }
  if (!model.built())
    throw ConfigError(
        "model", "the first layer must give the input shape (an InputLayer or batch_input_shape)");
  return model;
}

void compile_model(Model& model, const RunConfig& rc, Device device) {
  json c = rc.compile();
  // One output named in an object is the model's one loss and metrics, as Keras reads it.
  const std::vector<std::string> outputs = model.output_names();
  if (outputs.size() == 1 && !c.contains("loss_weights")) {
    if (c["loss"].is_object() && !c["loss"].contains("class_name"))
      c["loss"] = json(c["loss"].at(outputs[0]));
    if (c.contains("metrics") && c["metrics"].is_object())
      c["metrics"] = c["metrics"].value(outputs[0], json::array());
  }
  try {
    compile_from_config(model, c, device);
  } catch (const Error& e) {
    throw ConfigError("compile", e.what());
  }
}

ModelData ModelData::rows(int64_t begin, int64_t end) const {
  ModelData out;
  for (const Tensor& t : x) out.x.push_back(t.rows(begin, end));
  for (const Tensor& t : y) out.y.push_back(t.rows(begin, end));
  return out;
}

bool uses_names(const DataSource& src) {
  return src.spec.contains("inputs") || src.spec.contains("targets");
}

ModelData load_named_split(const DataSource& src, const Model& model, double scale) {
  const std::vector<std::string> in_names = model.input_names(), out_names = model.output_names();
  const auto inputs = entries(src, "inputs", "x", in_names, "input");
  const auto targets =
      entries(src, "targets", src.format == "csv" ? "label" : "y", out_names, "output");
  if (inputs.empty()) throw ConfigError(src.path, "no inputs: give \"inputs\" by input name");
  std::optional<CsvTable> table;
  ModelData out;
  int64_t rows = -1;
  std::string first;
  auto load = [&](const std::string& key, const std::string& name, const json& value) {
    const std::string path = src.path + "." + key + "." + name;
    Tensor t;
    try {
      if (src.format == "csv" && !table) table = read_csv(src.spec.at("path").get<std::string>());
      t = load_entry(src, value, table ? &*table : nullptr);
    } catch (const ConfigError&) {
      throw;
    } catch (const Error& e) {
      throw ConfigError(path, e.what());
    }
    if (t.shape().rank() == 0 || t.shape()[0] == 0)
      throw ConfigError(path, "the data set is empty");
    if (rows >= 0 && t.shape()[0] != rows)
      throw ConfigError(path, "has " + std::to_string(t.shape()[0]) + " rows but " + first +
                                  " has " + std::to_string(rows));
    if (rows < 0) rows = t.shape()[0], first = key + "." + name;
    return t.dtype() == DType::Float32 ? t : cast(t, DType::Float32);
  };
  for (size_t i = 0; i < in_names.size(); ++i) {
    const std::string path = src.path + ".inputs." + in_names[i];
    Tensor x = fit_to_input(load("inputs", in_names[i], inputs.at(in_names[i])), model, i, path);
    if (scale != 1.0) x = x * static_cast<float>(scale);
    out.x.push_back(x);
  }
  if (!targets.empty())
    for (const std::string& name : out_names)
      out.y.push_back(load("targets", name, targets.at(name)));
  return out;
}

void check_model_labels(const ModelData& data, Model& model, const std::string& path) {
  if (data.y.empty()) throw ConfigError(path, "has no labels");
  model.train_step();  // resolves each output's loss
  const std::vector<LossPtr>& losses = model.losses();
  const std::vector<std::string> names = model.output_names();
  for (size_t o = 0; o < data.y.size() && o < losses.size(); ++o) {
    if (losses[o]->label_kind() != LabelKind::Sparse) continue;
    const int64_t classes = model.output_shapes()[o].dim(-1);
    const Tensor& y = data.y[o];
    for (int64_t i = 0; i < y.numel(); ++i) {
      const double v = y.at(i);
      if (v >= 0 && v < static_cast<double>(classes) && v == std::floor(v)) continue;
      const std::string label =
          v == std::floor(v) ? std::to_string(static_cast<int64_t>(v)) : std::to_string(v);
      throw ConfigError(path, "label " + label + " at row " + std::to_string(i) +
                                  (names.size() > 1 ? " of output '" + names[o] + "'" : "") +
                                  " is outside [0, " + std::to_string(classes) +
                                  "): the model has " + std::to_string(classes) + " classes");
    }
  }
}

Tensor fit_to_input(const Tensor& x, const Model& model, size_t index, const std::string& path) {
  const Shape want = model.input_shapes().at(index);
  const Shape per_sample_want = want.erased(0), per_sample = x.shape().erased(0);
  if (per_sample == per_sample_want) return x;
  if (per_sample_want.is_fully_defined() && per_sample.numel() == per_sample_want.numel())
    return x.view(Shape(per_sample_want).inserted(0, x.shape()[0]));
  const std::vector<std::string> names = model.input_names();
  throw ConfigError(path,
                    "samples of shape " + per_sample.to_string() + " (" +
                        std::to_string(per_sample.numel()) + " features) do not fit the " +
                        (names.size() > 1 ? "input '" + names[index] + "' " : "model's input ") +
                        want.to_string());
}

TensorList load_predict_inputs(const std::vector<std::string>& files, const std::string& dataset,
                               const Model& model, const Preprocessing& pre) {
  const std::vector<std::string> names = model.input_names();
  TensorList out;
  if (files.size() == names.size()) {
    for (size_t i = 0; i < files.size(); ++i) {
      const std::string ds = dataset.empty() && names.size() > 1 ? names[i] : dataset;
      Tensor x;
      try {
        x = load_input(files[i], ds, pre);
      } catch (const Error& e) {
        throw ConfigError("--input", e.what());
      }
      out.push_back(fit_to_input(x, model, i, "--input"));
    }
    return out;
  }
  const std::string ext = files.size() == 1 ? fs::path(files[0]).extension().string() : "";
  if (ext != ".h5" && ext != ".hdf5" && ext != ".npz")
    throw ConfigError("--input", "model '" + model.name() + "' has " +
                                     std::to_string(names.size()) + " inputs (" + join(names) +
                                     "), given " + std::to_string(files.size()) +
                                     " files: give one --input per input, in order, or one .h5 "
                                     "or .npz file with a dataset per input name");
  for (size_t i = 0; i < names.size(); ++i) {
    Tensor x;
    try {
      x = ext == ".npz" ? load_npz_array(files[0], names[i])
                        : load_hdf5_dataset(files[0], names[i]);
    } catch (const ConfigError&) {
      throw;
    } catch (const Error& e) {
      throw ConfigError("--input", e.what());
    }
    if (x.dtype() != DType::Float32) x = cast(x, DType::Float32);
    pre.apply(x);
    out.push_back(fit_to_input(x, model, i, "--input"));
  }
  return out;
}

}  // namespace nabla::cli
