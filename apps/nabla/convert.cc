// nabla convert IN OUT: a model or its weights from one Keras file format to another (.keras,
// .h5, .weights.h5), the format chosen by each name's extension.
#include <cxxopts.hpp>
#include <fstream>
#include <iostream>
#include <sstream>

#include "commands.h"
#include "framework/keras/compile_config.h"
#include "model_data.h"
#include "run_config.h"

namespace nabla::cli {
namespace {

using nlohmann::json;

const char* format_name(FileFormat f) {
  switch (f) {
    case FileFormat::kKerasArchive:
      return "a Keras 3 .keras archive";
    case FileFormat::kKeras3Weights:
      return "weights in Keras 3's layout";
    case FileFormat::kH5:
      return "an .h5 file in Keras 2's legacy layout";
    case FileFormat::kUnknown:
      break;
  }
  return "";
}

void check_name(const std::string& path, const char* what) {
  if (file_format(path) == FileFormat::kUnknown)
    throw ConfigError(what, "'" + path +
                                "': the name must end in .keras, .h5, .hdf5 or .weights.h5 (the "
                                "extension chooses the format)");
}

// The model of a file holding model JSON (what model.to_json() prints; Keras 3's with a
// compile_config is compiled as it says).
Model model_from_json_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError("--model-json", "cannot read '" + path + "'");
  std::stringstream text;
  text << in.rdbuf();
  try {
    const json config = json::parse(text.str());
    Model model = model_from_config(config);
    if (!model.built())
      throw ConfigError("--model-json", "'" + path + "': the model config gives no input shape");
    const json compile = config.value("compile_config", json());
    if (compile.is_object() && compile.contains("optimizer") && !compile["optimizer"].is_null())
      compile_from_config(model, compile, Device::CPU);
    return model;
  } catch (const json::exception& e) {
    throw ConfigError("--model-json", "'" + path + "' is not model JSON: " + e.what());
  } catch (const Error& e) {
    throw ConfigError("--model-json", "'" + path + "': " + e.what());
  }
}

}  // namespace

int convert_command(int argc, char** argv) {
  cxxopts::Options opts("nabla convert",
                        "Converts a model or its weights between .keras, .h5 and .weights.h5.");
  opts.add_options()("in", "the file to read", cxxopts::value<std::string>())(
      "out", "the file to write", cxxopts::value<std::string>())(
      "config", "a run config whose model the weights of a weights-only IN belong to",
      cxxopts::value<std::string>())(
      "model-json", "a file of model JSON (model.to_json()) the weights of IN belong to",
      cxxopts::value<std::string>())("h,help", "show this help");
  opts.parse_positional({"in", "out"});
  opts.positional_help("IN OUT [--config CONFIG.json | --model-json MODEL.json]");
  const auto parsed = parse_options(opts, argc, argv);
  if (!parsed) return 0;
  const cxxopts::ParseResult& args = *parsed;
  if (!args.count("in") || !args.count("out"))
    throw ConfigError("", "missing IN and OUT (see nabla convert --help)");
  const std::string in = args["in"].as<std::string>(), out = args["out"].as<std::string>();
  check_name(in, "IN");
  check_name(out, "OUT");
  if (args.count("config") && args.count("model-json"))
    throw ConfigError("--model-json", "give --config or --model-json, not both");

  Model model;
  FileAttributes attributes;
  if (args.count("config") || args.count("model-json")) {
    if (args.count("config")) {
      const RunConfig rc = load_config(args["config"].as<std::string>());
      model = build_model(rc);
      compile_model(model, rc, Device::CPU);
    } else {
      model = model_from_json_file(args["model-json"].as<std::string>());
    }
    try {
      model.load_weights(in);
    } catch (const Error& e) {
      throw ConfigError("IN", e.what());
    }
  } else {
    if (file_format(in) == FileFormat::kKeras3Weights)
      throw ConfigError("IN", "'" + in +
                                  "' holds weights only: give --config CONFIG.json or "
                                  "--model-json MODEL.json to say which model they belong to");
    try {
      model = load_model(in, Device::CPU, &attributes);
    } catch (const Error& e) {
      const std::string what = e.what();
      throw ConfigError("IN", what + (what.find("weights only") != std::string::npos
                                          ? " (give --config or --model-json)"
                                          : ""));
    }
  }
  if (file_format(out) == FileFormat::kKeras3Weights) {
    save_weights(model, out);
  } else {
    save_model(model, out, attributes);
  }
  std::cout << "wrote " << out << ": " << format_name(file_format(out)) << "\n";
  return 0;
}

}  // namespace nabla::cli
