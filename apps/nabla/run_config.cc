#include "run_config.h"

#include <fstream>
#include <set>

#include <nabla/nabla.h>

namespace nabla::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string type_name(const json& j) {
  if (j.is_null()) return "null";
  if (j.is_boolean()) return "a boolean";
  if (j.is_number()) return "a number";
  if (j.is_string()) return "a string";
  if (j.is_array()) return "a list";
  return "an object";
}

// Rejects keys outside `allowed`, naming the path and the nearest allowed key.
void only_keys(const json& j, const std::string& path, const std::vector<std::string>& allowed) {
  if (!j.is_object()) throw ConfigError(path, expected("an object", j));
  for (const auto& [key, value] : j.items())
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
      throw ConfigError(path.empty() ? key : path + "." + key,
                        "unknown key" + did_you_mean(key, allowed));
}

const json& require(const json& j, const std::string& path, const std::string& key) {
  if (!j.contains(key)) throw ConfigError(path, "missing key '" + key + "'");
  return j.at(key);
}

void check_number(const json& j, const std::string& path, const std::string& key, double lo,
                  double hi, bool integer = false) {
  if (!j.contains(key)) return;
  const json& v = j.at(key);
  const std::string p = path + "." + key;
  if (integer ? !v.is_number_integer() : !v.is_number())
    throw ConfigError(p, expected(integer ? "an integer" : "a number", v));
  const double d = v.get<double>();
  if (d < lo || d > hi)
    throw ConfigError(
        p, "must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " + v.dump());
}

void check_bool(const json& j, const std::string& path, const std::string& key) {
  if (j.contains(key) && !j.at(key).is_boolean())
    throw ConfigError(path + "." + key, expected("true or false", j.at(key)));
}

std::string resolve_file(const json& j, const std::string& path, const std::string& key,
                         const fs::path& base) {
  const json& v = require(j, path, key);
  if (!v.is_string()) throw ConfigError(path + "." + key, expected("a file path (a string)", v));
  fs::path p(v.get<std::string>());
  if (p.is_relative()) p = base / p;
  if (!fs::exists(p))
    throw ConfigError(path + "." + key, "file '" + p.string() + "' does not exist");
  return fs::absolute(p).lexically_normal().string();
}

// "inputs"/"targets": by model input and output name, a file (npy), a dataset (hdf5) or columns
// (csv: a column name or a list of them). Names are checked against the model when it is read.
void check_named(json& src, const std::string& path, const char* key, const std::string& format,
                 const fs::path& base) {
  if (!src.contains(key)) return;
  const std::string p = path + "." + key;
  json& names = src[key];
  if (!names.is_object() || names.empty())
    throw ConfigError(p,
                      expected("an object {\"<name>\": ...} naming each " +
                                   std::string(key == std::string("inputs") ? "input" : "output"),
                               names));
  for (auto& [name, value] : names.items()) {
    const std::string q = p + "." + name;
    if (format == "npy") {
      value = resolve_file(names, p, name, base);
    } else if (format == "hdf5") {
      if (!value.is_string()) throw ConfigError(q, expected("a dataset name", value));
    } else if (!value.is_string() && !(value.is_array() && !value.empty())) {
      throw ConfigError(q, expected("a column name or a list of column names", value));
    } else if (value.is_array()) {
      for (const json& c : value)
        if (!c.is_string()) throw ConfigError(q, expected("column names", c));
    }
  }
}

// A source gives one input and target (x/y, label) or several by name, not both.
void check_one_form(const json& src, const std::string& path, const char* single,
                    const char* named) {
  if (src.contains(single) && src.contains(named))
    throw ConfigError(path + "." + named,
                      std::string("give either \"") + single + "\" or \"" + named + "\", not both");
}

void check_data_source(json& src, const std::string& path, const fs::path& base) {
  const json& format = require(src, path, "format");
  if (!format.is_string()) throw ConfigError(path + ".format", expected("a string", format));
  const std::string f = format.get<std::string>();
  if (f == "idx") {
    only_keys(src, path, {"format", "images", "labels"});
    src["images"] = resolve_file(src, path, "images", base);
    if (src.contains("labels")) src["labels"] = resolve_file(src, path, "labels", base);
  } else if (f == "csv") {
    only_keys(src, path, {"format", "path", "label", "inputs", "targets"});
    src["path"] = resolve_file(src, path, "path", base);
    if (src.contains("label") && !src["label"].is_string() && !src["label"].is_number_integer())
      throw ConfigError(path + ".label", expected("a column name or index", src["label"]));
    check_one_form(src, path, "label", "targets");
  } else if (f == "npy") {
    only_keys(src, path, {"format", "x", "y", "inputs", "targets"});
    check_one_form(src, path, "x", "inputs");
    check_one_form(src, path, "y", "targets");
    if (!src.contains("inputs")) src["x"] = resolve_file(src, path, "x", base);
    if (src.contains("y")) src["y"] = resolve_file(src, path, "y", base);
  } else if (f == "hdf5") {
    only_keys(src, path, {"format", "path", "x", "y", "inputs", "targets"});
    src["path"] = resolve_file(src, path, "path", base);
    for (const char* k : {"x", "y"})
      if (src.contains(k) && !src[k].is_string())
        throw ConfigError(path + "." + k, expected("a dataset name", src[k]));
    check_one_form(src, path, "x", "inputs");
    check_one_form(src, path, "y", "targets");
    if (!src.contains("inputs")) require(src, path, "x");
  } else {
    throw ConfigError(path + ".format", "unknown format '" + f + "'" +
                                            did_you_mean(f, {"csv", "idx", "npy", "hdf5"}) +
                                            "; known: csv, idx, npy, hdf5");
  }
  if (f != "idx") {
    check_named(src, path, "inputs", f, base);
    check_named(src, path, "targets", f, base);
  }
}

// Numeric arguments of optimizers, checked here so that errors carry their JSON path.
void check_optimizer(const json& opt, const std::string& path) {
  if (opt.is_string()) {
    get_optimizer(opt.get<std::string>());
    return;
  }
  only_keys(opt, path, {"class_name", "config", "module", "registered_name"});
  const json& cls = require(opt, path, "class_name");
  if (!cls.is_string()) throw ConfigError(path + ".class_name", expected("a string", cls));
  if (!opt.contains("config")) return;
  const json& c = opt.at("config");
  if (!c.is_object()) throw ConfigError(path + ".config", expected("an object", c));
  for (const char* key :
       {"learning_rate", "beta_1", "beta_2", "epsilon", "momentum", "rho", "weight_decay",
        "clipnorm", "clipvalue", "global_clipnorm", "initial_accumulator_value"}) {
    if (!c.contains(key) || c.at(key).is_null()) continue;
    const json& v = c.at(key);
    if (std::string(key) == "learning_rate" && v.is_object()) continue;  // a schedule
    if (!v.is_number()) throw ConfigError(path + ".config." + key, expected("a number", v));
  }
}

// Each layer of a Sequential made on its own first, so an error names its index; a Functional
// model made whole (its errors name the layer entry). Returns the model, whose output names the
// compile section is checked against.
Model check_model(const json& model) {
  only_keys(model, "model",
            {"class_name", "config", "module", "registered_name", "build_config", "keras_version",
             "backend", "compile_config"});
  const json& cls = require(model, "model", "class_name");
  if (cls == "Functional" || cls == "Model") {
    const json& config = require(model, "model", "config");
    if (!config.is_object()) throw ConfigError("model.config", expected("an object", config));
  } else if (cls != "Sequential") {
    throw ConfigError("model.class_name",
                      "expected \"Sequential\" or \"Functional\", got " + cls.dump());
  } else {
    const json& config = require(model, "model", "config");
    const json& layers = config.is_array() ? config : require(config, "model.config", "layers");
    const std::string base = config.is_array() ? "model.config" : "model.config.layers";
    if (!layers.is_array() || layers.empty())
      throw ConfigError(base, expected("a non-empty list of layers", layers));
    for (size_t i = 0; i < layers.size(); ++i) {
      const std::string p = base + "[" + std::to_string(i) + "]";
      try {
        LayerRegistry::global().from_config(layers[i]);
      } catch (const Error& e) {
        throw ConfigError(p, e.what());
      }
    }
  }
  try {
    return model_from_config(model);
  } catch (const Error& e) {
    throw ConfigError("model.config", e.what());
  }
}

void check_metric(const json& m, const std::string& p) {
  if (!m.is_string()) throw ConfigError(p, expected("a metric name", m));
  if (m != "accuracy" && m != "acc") {
    try {
      get_metric(m.get<std::string>());
    } catch (const Error& e) {
      throw ConfigError(p, e.what());
    }
  }
}

void check_metric_list(const json& list, const std::string& p) {
  if (!list.is_array()) throw ConfigError(p, expected("a list", list));
  for (size_t i = 0; i < list.size(); ++i) check_metric(list[i], p + "[" + std::to_string(i) + "]");
}

// An object keyed by output name, as Keras's compile takes per-output arguments.
void check_outputs(const json& by_output, const std::string& p,
                   const std::vector<std::string>& outputs) {
  for (const auto& [name, value] : by_output.items())
    if (std::find(outputs.begin(), outputs.end(), name) == outputs.end())
      throw ConfigError(p + "." + name,
                        "the model has no output '" + name + "'" + did_you_mean(name, outputs));
}

// A loss: a name, a loss config {"class_name", "config"}, or (several outputs) one per output
// name; metrics: a list for every output or lists by output name; loss_weights by output name.
void check_compile(const json& c, const std::vector<std::string>& outputs) {
  only_keys(c, "compile", {"optimizer", "loss", "metrics", "loss_weights"});
  try {
    check_optimizer(require(c, "compile", "optimizer"), "compile.optimizer");
    optimizer_from_config(c.at("optimizer"));
  } catch (const Error& e) {
    throw ConfigError("compile.optimizer", e.what());
  }
  const json& loss = require(c, "compile", "loss");
  const bool by_output = loss.is_object() && !loss.contains("class_name");
  if (by_output) {
    check_outputs(loss, "compile.loss", outputs);
    for (const std::string& o : outputs)
      if (!loss.contains(o))
        throw ConfigError("compile.loss", "no loss for output '" + o +
                                              "' (the model's outputs: " + join(outputs) + ")");
  }
  const json losses = by_output ? loss : json{{"", loss}};
  for (const auto& [name, one] : losses.items()) {
    try {
      loss_from_config(one);
    } catch (const Error& e) {
      throw ConfigError(name.empty() ? "compile.loss" : "compile.loss." + name, e.what());
    }
  }
  if (c.contains("metrics")) {
    const json& m = c["metrics"];
    if (m.is_object()) {
      check_outputs(m, "compile.metrics", outputs);
      for (const auto& [name, list] : m.items()) check_metric_list(list, "compile.metrics." + name);
    } else {
      check_metric_list(m, "compile.metrics");
    }
  }
  if (c.contains("loss_weights")) {
    const json& w = c["loss_weights"];
    if (!w.is_object()) throw ConfigError("compile.loss_weights", expected("an object", w));
    check_outputs(w, "compile.loss_weights", outputs);
    for (const auto& [name, value] : w.items())
      if (!value.is_number())
        throw ConfigError("compile.loss_weights." + name, expected("a number", value));
  }
}

void check_callbacks(const json& cbs) {
  if (!cbs.is_array()) throw ConfigError("callbacks", expected("a list", cbs));
  const std::vector<std::string> known = CallbackRegistry::global().names();
  for (size_t i = 0; i < cbs.size(); ++i) {
    const std::string p = "callbacks[" + std::to_string(i) + "]";
    only_keys(cbs[i], p, {"class_name", "config"});
    const json& cls = require(cbs[i], p, "class_name");
    if (!cls.is_string() ||
        std::find(known.begin(), known.end(), cls.get<std::string>()) == known.end())
      throw ConfigError(p + ".class_name",
                        "unknown callback " + cls.dump() +
                            (cls.is_string() ? did_you_mean(cls.get<std::string>(), known) : ""));
    if (cbs[i].contains("config") && !cbs[i]["config"].is_object())
      throw ConfigError(p + ".config", expected("an object", cbs[i]["config"]));
  }
}

}  // namespace

std::string join(const std::vector<std::string>& names) {
  std::string s;
  for (const std::string& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

std::string expected(const std::string& what, const nlohmann::json& got) {
  return "expected " + what + ", got " + (got.is_primitive() ? got.dump() : type_name(got));
}

std::optional<DataSource> RunConfig::data(const std::string& split) const {
  const nlohmann::json& d = json.at("data");
  if (!d.contains(split)) return std::nullopt;
  return DataSource{"data." + split, d[split].at("format").get<std::string>(), d[split],
                    allow_non_finite()};
}

RunConfig load_config(const std::string& file) {
  using nlohmann::json;
  std::ifstream in(file);
  if (!in) throw ConfigError("", "cannot read config file '" + file + "'");
  RunConfig rc;
  try {
    rc.json = json::parse(in);
  } catch (const json::exception& e) {  // parse_error, or out_of_range for 1e400
    throw ConfigError("", "config file '" + file + "' is not valid JSON: " + e.what());
  }
  rc.base_dir = fs::absolute(fs::path(file)).parent_path();
  json& j = rc.json;
  only_keys(
      j, "",
      {"seed", "model", "compile", "data", "fit", "callbacks", "output", "device", "description"});
  if (!j.contains("seed")) j["seed"] = 42;
  if (!j["seed"].is_number_unsigned())
    throw ConfigError("seed", expected("a non-negative integer", j["seed"]));
  {
    const Model model = check_model(require(j, "", "model"));
    check_compile(require(j, "", "compile"), model.output_names());
  }
  // The model made to check the config is thrown away: the one trained takes the default layer
  // names ("dense", "dense_1", ...) that a model made once from this config has.
  reset_layer_names();

  json& data = j["data"];
  if (data.is_null()) data = json::object();
  only_keys(data, "data",
            {"train", "test", "validation", "validation_split", "scale", "standardize",
             "allow_non_finite"});
  for (const char* split : {"train", "test", "validation"})
    if (data.contains(split))
      check_data_source(data[split], std::string("data.") + split, rc.base_dir);
  check_number(data, "data", "validation_split", 0.0, 0.999999);
  check_number(data, "data", "scale", -1e30, 1e30);
  check_bool(data, "data", "standardize");
  check_bool(data, "data", "allow_non_finite");

  json& fit = j["fit"];
  if (fit.is_null()) fit = json::object();
  only_keys(fit, "fit",
            {"epochs", "batch_size", "shuffle", "verbose", "class_weight", "initial_epoch"});
  check_number(fit, "fit", "epochs", 0, 1e9, true);
  check_number(fit, "fit", "batch_size", 1, 1e9, true);
  check_number(fit, "fit", "verbose", 0, 2, true);
  check_number(fit, "fit", "initial_epoch", 0, 1e9, true);
  check_bool(fit, "fit", "shuffle");
  if (fit.contains("class_weight")) {
    const json& cw = fit["class_weight"];
    if (!cw.is_object())
      throw ConfigError("fit.class_weight", expected("an object {\"class\": weight}", cw));
    for (const auto& [key, value] : cw.items()) {
      const std::string p = "fit.class_weight." + key;
      if (key.empty() || key.find_first_not_of("0123456789") != std::string::npos)
        throw ConfigError(p, "class keys must be class indices (\"0\", \"1\", ...)");
      if (!value.is_number() || value.get<double>() < 0)
        throw ConfigError(p, expected("a non-negative number", value));
    }
  }
  const json defaults{{"epochs", 10}, {"batch_size", 32}, {"shuffle", true}, {"verbose", 1}};
  for (const auto& [key, value] : defaults.items())
    if (!fit.contains(key)) fit[key] = value;

  if (!j.contains("callbacks")) j["callbacks"] = json::array();
  check_callbacks(j["callbacks"]);
  json& output = j["output"];
  if (output.is_null()) output = json::object();
  only_keys(output, "output", {"dir", "format"});
  if (!output.contains("format")) output["format"] = "h5";
  if (output["format"] != "h5" && output["format"] != "keras")
    throw ConfigError(
        "output.format",
        "expected \"h5\" (model.h5) or \"keras\" (model.keras), got " + output["format"].dump());
  if (!output.contains("dir")) output["dir"] = "runs/" + fs::path(file).stem().string();
  if (!output["dir"].is_string())
    throw ConfigError("output.dir", expected("a directory path", output["dir"]));
  fs::path out_dir(output["dir"].get<std::string>());
  if (out_dir.is_relative()) out_dir = rc.base_dir / out_dir;
  output["dir"] = out_dir.lexically_normal().string();
  if (!j.contains("device")) j["device"] = "cpu";
  if (!j["device"].is_string())
    throw ConfigError("device", expected("\"cpu\" or \"cuda\"", j["device"]));
  try {
    Device::parse(j["device"].get<std::string>());
  } catch (const Error& e) {
    throw ConfigError("device", e.what());
  }
  return rc;
}

}  // namespace nabla::cli
