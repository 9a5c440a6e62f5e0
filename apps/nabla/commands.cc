// nabla evaluate / predict / summary / export-graph.
#include <unistd.h>
#include <cxxopts.hpp>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "commands.h"
#include "datasets.h"
#include "framework/keras/train_step.h"
#include "framework/tensorboard/event_writer.h"
#include "framework/tensorboard/graph_def.h"
#include "guard.h"
#include "model_data.h"
#include "run_config.h"

namespace nabla::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

bool is_json(const std::string& path) {
  return fs::path(path).extension() == ".json";
}

const char* kTrustedHelp =
    "read the model (and an .h5 input) in this process, without the guarded child process "
    "(for files you wrote yourself)";

// Reads MODEL.h5 once in a guarded child process (guard.h) unless `trusted`: a damaged or hostile
// file then ends in a one-line error instead of a crash or a hang. Called before anything
// starts nabla's thread pool.
void check_untrusted(const std::string& path, bool trusted) {
  if (!trusted && !is_json(path))
    run_guarded(
        path, [&] { (void)load_model(path); }, GuardLimits::from_environment());
}

Model load_model_file(const std::string& path, FileAttributes* attributes = nullptr,
                      Device device = Device::CPU) {
  try {
    return load_model(path, device, attributes);
  } catch (const Error& e) {
    throw ConfigError("", e.what());
  }
}

// A model from MODEL.h5, MODEL.keras or CONFIG.json (compiled, so its training graph can be
// exported).
Model model_from_file(const std::string& path) {
  if (!is_json(path)) return load_model_file(path);
  RunConfig rc = load_config(path);
  Model model = build_model(rc);
  compile_model(model, rc, Device::CPU);
  return model;
}

// Rows of CSV: one output's values (no header, as before), or, for several outputs, a header
// naming each column ("<output>_<k>", or "<output>" for --classes) and every output side by side.
std::string predictions_csv(const TensorList& outputs, const std::vector<std::string>& names,
                            bool classes) {
  std::ostringstream out;
  out << std::setprecision(8);
  if (outputs.size() > 1) {
    std::string header;
    for (size_t o = 0; o < outputs.size(); ++o) {
      const int64_t width = outputs[o].numel() / outputs[o].shape()[0];
      if (classes) {
        header += (header.empty() ? "" : ",") + names[o];
      } else {
        for (int64_t k = 0; k < width; ++k)
          header += (header.empty() ? "" : ",") + names[o] + "_" + std::to_string(k);
      }
    }
    out << header << "\n";
  }
  const int64_t n = outputs[0].shape()[0];
  for (int64_t i = 0; i < n; ++i) {
    for (size_t o = 0; o < outputs.size(); ++o) {
      const int64_t width = outputs[o].numel() / n;
      const float* row = outputs[o].data<float>() + i * width;
      if (o) out << ",";
      if (classes) {
        out << (width == 1 ? (row[0] > 0.5f ? 1 : 0) : std::max_element(row, row + width) - row);
        continue;
      }
      for (int64_t k = 0; k < width; ++k) out << (k ? "," : "") << row[k];
    }
    out << "\n";
  }
  return out.str();
}

}  // namespace

std::optional<cxxopts::ParseResult> parse_options(cxxopts::Options& opts, int argc, char** argv) {
  auto args = opts.parse(argc, argv);
  if (args.count("help")) {
    std::cout << opts.help() << "\n";
    return std::nullopt;
  }
  return args;
}

int evaluate_command(int argc, char** argv) {
  cxxopts::Options opts("nabla evaluate",
                        "Loss and metrics of a saved model on a split of a config's data.");
  opts.add_options()("model", "MODEL.h5 or MODEL.keras", cxxopts::value<std::string>())(
      "config", "the JSON config naming the data", cxxopts::value<std::string>())(
      "split", "test, validation or train", cxxopts::value<std::string>()->default_value("test"))(
      "json", "print JSON instead of text")("batch-size", "batch size",
                                            cxxopts::value<int>()->default_value("256"))(
      "trusted", kTrustedHelp)("h,help", "show this help");
  opts.parse_positional({"model"});
  opts.positional_help("MODEL.h5 --config CONFIG.json");
  const auto parsed = parse_options(opts, argc, argv);
  if (!parsed) return 0;
  const cxxopts::ParseResult& args = *parsed;
  if (!args.count("model")) throw ConfigError("", "missing MODEL.h5 (see nabla evaluate --help)");
  if (!args.count("config"))
    throw ConfigError("--config", "missing: the config says where the data is");
  const std::string split = args["split"].as<std::string>();
  if (split != "test" && split != "validation" && split != "train")
    throw ConfigError("--split", "expected test, validation or train, got '" + split + "'");
  if (args["batch-size"].as<int>() <= 0) throw ConfigError("--batch-size", "must be positive");
  check_untrusted(args["model"].as<std::string>(), args.count("trusted") > 0);
  RunConfig rc = load_config(args["config"].as<std::string>());
  FileAttributes attributes;
  Model model = load_model_file(args["model"].as<std::string>(), &attributes);
  if (!model.compiled())
    throw ConfigError(
        "", "'" + args["model"].as<std::string>() + "' has no training config to evaluate with");
  Preprocessing pre = Preprocessing::from_attributes(attributes);
  const double vsplit = rc.validation_split();
  std::optional<DataSource> src = rc.data(split);
  bool tail_of_train = false;
  if (!src && split == "validation" && vsplit > 0) src = rc.data("train"), tail_of_train = true;
  if (!src) throw ConfigError("data." + split, "the config has no " + split + " data");
  ModelData data;
  if (uses_names(*src) || model.input_names().size() != 1 || model.output_names().size() != 1) {
    data = load_named_split(*src, model, pre.scale);
  } else {
    Preprocessing with_classes = pre;
    Split s = load_split(*src, with_classes, pre.feature_names.empty() && pre.classes.empty());
    data = {{fit_to_model(s.x, model, src->path)}, {s.y}};
    pre.apply(data.x[0]);
  }
  if (tail_of_train) {
    const int64_t n = data.rows();
    data = data.rows(static_cast<int64_t>(static_cast<double>(n) * (1 - vsplit)), n);
  }
  check_model_labels(data, model, src->path);
  const Logs logs = model.evaluate(
      data.x, data.y, EvaluateOptions().batch_size(args["batch-size"].as<int>()).verbose(0));
  if (args.count("json")) {
    std::cout << json(logs).dump(2) << "\n";
  } else {
    for (const auto& [k, v] : logs) std::cout << k << ": " << std::setprecision(6) << v << "\n";
  }
  return 0;
}

int predict_command(int argc, char** argv) {
  cxxopts::Options opts("nabla predict", "Outputs of a saved model for each input row.");
  opts.add_options()("model", "MODEL.h5 or MODEL.keras", cxxopts::value<std::string>())(
      "input",
      "X.csv, X.npy or X.h5; one per model input, in order (repeat --input), or one .h5 or .npz "
      "with a dataset per input name",
      cxxopts::value<std::vector<std::string>>())(
      "dataset", "the dataset inside an .h5 input (default for several inputs: the input's name)",
      cxxopts::value<std::string>()->default_value(""))(
      "output", "write CSV here instead of standard output", cxxopts::value<std::string>())(
      "classes", "write the class index of each row instead of the outputs")(
      "batch-size", "batch size", cxxopts::value<int>()->default_value("256"))(
      "trusted", kTrustedHelp)("h,help", "show this help");
  opts.parse_positional({"model"});
  opts.positional_help("MODEL.h5|MODEL.keras --input X.(csv|npy|h5|npz) [--input ...]");
  const auto parsed = parse_options(opts, argc, argv);
  if (!parsed) return 0;
  const cxxopts::ParseResult& args = *parsed;
  if (!args.count("model")) throw ConfigError("", "missing MODEL.h5 (see nabla predict --help)");
  if (!args.count("input")) throw ConfigError("--input", "missing: the file of inputs to predict");
  if (args["batch-size"].as<int>() <= 0) throw ConfigError("--batch-size", "must be positive");
  const bool trusted = args.count("trusted") > 0;
  check_untrusted(args["model"].as<std::string>(), trusted);
  const std::string dataset = args["dataset"].as<std::string>();
  for (const std::string& input : args["input"].as<std::vector<std::string>>()) {
    const std::string ext = fs::path(input).extension().string();
    if (trusted || (ext != ".h5" && ext != ".hdf5") || dataset.empty()) continue;
    try {
      run_guarded(
          input, [&] { (void)load_hdf5_dataset(input, dataset); }, GuardLimits::from_environment());
    } catch (const ConfigError& e) {
      throw ConfigError("--input", e.what());
    }
  }
  FileAttributes attributes;
  Model model = load_model_file(args["model"].as<std::string>(), &attributes);
  const Preprocessing pre = Preprocessing::from_attributes(attributes);
  const TensorList x = load_predict_inputs(args["input"].as<std::vector<std::string>>(),
                                           args["dataset"].as<std::string>(), model, pre);
  const TensorList y = model.predict(x, PredictOptions().batch_size(args["batch-size"].as<int>()));
  const std::string csv = predictions_csv(y, model.output_names(), args.count("classes") > 0);
  if (!args.count("output")) {
    std::cout << csv;
    return 0;
  }
  try {
    write_text_atomically(args["output"].as<std::string>(), csv);
  } catch (const IOError& e) {
    throw ConfigError("--output", e.what());
  }
  return 0;
}

int summary_command(int argc, char** argv) {
  cxxopts::Options opts("nabla summary", "Keras's summary table of a model.");
  opts.add_options()("model", "MODEL.h5, MODEL.keras or CONFIG.json",
                     cxxopts::value<std::string>())("trusted", kTrustedHelp)("h,help",
                                                                             "show this help");
  opts.parse_positional({"model"});
  opts.positional_help("MODEL.h5|MODEL.keras|CONFIG.json");
  const auto parsed = parse_options(opts, argc, argv);
  if (!parsed) return 0;
  const cxxopts::ParseResult& args = *parsed;
  if (!args.count("model"))
    throw ConfigError("", "missing MODEL.h5 or CONFIG.json (see nabla summary --help)");
  check_untrusted(args["model"].as<std::string>(), args.count("trusted") > 0);
  model_from_file(args["model"].as<std::string>()).summary(std::cout);
  return 0;
}

int export_graph_command(int argc, char** argv) {
  cxxopts::Options opts("nabla export-graph",
                        "The computational graph of a model, as Graphviz DOT, JSON or a "
                        "TensorBoard event file.");
  opts.add_options()("model", "MODEL.h5, MODEL.keras or CONFIG.json",
                     cxxopts::value<std::string>())(
      "format", "dot, json or tensorboard (an event file in the --output directory)",
      cxxopts::value<std::string>()->default_value("dot"))("training",
                                                           "include gradient and update nodes")(
      "output", "write here instead of standard output (tensorboard: the directory)",
      cxxopts::value<std::string>())("trusted", kTrustedHelp)("h,help", "show this help");
  opts.parse_positional({"model"});
  opts.positional_help("MODEL.h5|MODEL.keras|CONFIG.json");
  const auto parsed = parse_options(opts, argc, argv);
  if (!parsed) return 0;
  const cxxopts::ParseResult& args = *parsed;
  if (!args.count("model"))
    throw ConfigError("", "missing MODEL.h5 or CONFIG.json (see nabla export-graph --help)");
  const std::string format = args["format"].as<std::string>();
  if (format != "dot" && format != "json" && format != "tensorboard")
    throw ConfigError("--format", "expected dot, json or tensorboard, got '" + format + "'");
  if (format == "tensorboard" && !args.count("output"))
    throw ConfigError("--output", "--format tensorboard needs the directory to write into");
  check_untrusted(args["model"].as<std::string>(), args.count("trusted") > 0);
  Model model = model_from_file(args["model"].as<std::string>());
  TrainStep& step = model.train_step();
  TensorList fetches = step.infer_outputs;
  if (args.count("training")) {
    // What a training step and an evaluation fetch.
    fetches = {step.train_loss};
    for (const TrainStep::MetricStats& m : step.metrics)
      fetches.insert(fetches.end(), m.train.begin(), m.train.end());
    if (step.update.defined()) fetches.push_back(step.update);
    fetches.push_back(step.eval_loss);
    for (const TrainStep::MetricStats& m : step.metrics)
      fetches.insert(fetches.end(), m.eval.begin(), m.eval.end());
  }
  if (format == "tensorboard") {  // a graph-only run: tensorboard --logdir DIR
    tensorboard::EventFileWriter events(args["output"].as<std::string>());
    events.add_graph(tensorboard::graph_def(step.graph, fetches));
    events.close();
    std::cout << "wrote " << events.path() << "\n";
    return 0;
  }
  const std::string text = format == "dot"
                               ? graph_to_dot(step.graph, fetches, model.name())
                               : graph_to_json(step.graph, fetches, /*with_variable_values=*/false);
  if (args.count("output")) {
    write_text_atomically(args["output"].as<std::string>(), text);
  } else {
    std::cout << text;
  }
  return 0;
}

}  // namespace nabla::cli
