// nabla: train, evaluate and predict from JSON configs.
//
// Exit codes: 0 success, 2 bad usage or bad config, 1 anything else. Every failure prints one
// line saying what went wrong and where.
#include <cstring>
#include <cxxopts.hpp>
#include <iostream>

#include <nabla/nabla.h>

#include "commands.h"
#include "run_config.h"

namespace {

const char* kUsage =
    "nabla: a Keras-style deep-learning framework\n\n"
    "usage: nabla COMMAND [options]\n\n"
    "commands:\n"
    "  train CONFIG.json         train a model as the config says (writes model.h5 or "
    "model.keras, history, metrics)\n"
    "  evaluate MODEL --config CONFIG.json [--split test|validation|train] [--json]\n"
    "  predict MODEL --input X.(csv|npy|h5|npz) [--input ...] [--dataset NAME] [--output OUT.csv] "
    "[--classes]\n"
    "  summary MODEL|CONFIG.json\n"
    "  export-graph MODEL|CONFIG.json --format dot|json [--training] [--output FILE]\n"
    "  convert IN OUT [--config CONFIG.json | --model-json MODEL.json]\n\n"
    "MODEL is a .keras archive or an .h5 file; IN and OUT are .keras, .h5 or .weights.h5.\n"
    "'nabla COMMAND --help' lists a command's options; 'nabla --version' prints the version.\n";

}  // namespace

int main(int argc, char** argv) {
  using namespace nabla::cli;
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") ||
      !std::strcmp(argv[1], "help")) {
    std::cout << kUsage;
    return argc < 2 ? 2 : 0;
  }
  if (!std::strcmp(argv[1], "--version")) {
    std::cout << "nabla " << nabla::version() << "\n";
    return 0;
  }
  const std::string command = argv[1];
  // Options after the command: argv shifted by one, with the program name kept in front.
  std::string program = std::string("nabla ") + command;
  std::vector<char*> rest{program.data()};
  for (int i = 2; i < argc; ++i) rest.push_back(argv[i]);
  const int n = static_cast<int>(rest.size());
  try {
    // Under mpirun a rank that fails ends the job, naming itself: its peers may be waiting for
    // it in a collective.
    if (command == "train")
      return nabla::distributed::run_or_abort([&] { return train_command(n, rest.data()); });
    if (command == "evaluate") return evaluate_command(n, rest.data());
    if (command == "predict") return predict_command(n, rest.data());
    if (command == "summary") return summary_command(n, rest.data());
    if (command == "export-graph") return export_graph_command(n, rest.data());
    if (command == "convert") return convert_command(n, rest.data());
    std::cerr << "nabla: unknown command '" << command << "'"
              << nabla::did_you_mean(command, {"train", "evaluate", "predict", "summary",
                                               "export-graph", "convert"})
              << "; see nabla --help\n";
    return 2;
  } catch (const ConfigError& e) {
    std::cerr << "nabla " << command << ": " << e.what() << "\n";
    return 2;
  } catch (const cxxopts::exceptions::exception& e) {
    std::cerr << "nabla " << command << ": " << e.what() << " (see nabla " << command
              << " --help)\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "nabla " << command << ": " << e.what() << "\n";
    return 1;
  }
}
