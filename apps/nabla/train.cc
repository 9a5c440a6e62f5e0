// nabla train CONFIG.json: trains as the config says, writes the run's files.
#include <cxxopts.hpp>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "framework/backend/backend.h"  // device_available

#include "commands.h"
#include "data_parallel_run.h"
#include "datasets.h"
#include "model_data.h"
#include "run_config.h"

namespace nabla::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// A run whose loss went NaN or infinite (TerminateOnNaN stopped it, or the weights diverged)
// saves nothing: the files of an earlier good run stay as they were, and the exit code says so.
void refuse_diverged_run(const Model& model, const std::vector<CallbackPtr>& callbacks,
                         const History& history, const fs::path& out_dir) {
  bool terminated = false;
  for (const CallbackPtr& c : callbacks)
    if (auto t = std::dynamic_pointer_cast<TerminateOnNaN>(c)) terminated |= t->terminated();
  const bool finite = all_finite(model.weights());
  if (!terminated && finite) return;
  const size_t epochs = history.epoch.size();
  throw StateError(std::string("training stopped: ") +
                   (terminated ? "TerminateOnNaN saw a NaN or infinite loss"
                               : "the weights became NaN or infinite") +
                   " in epoch " + std::to_string(epochs ? history.epoch.back() + 1 : 1) +
                   "; nothing was saved (files in '" + out_dir.string() +
                   "' are unchanged). Try a smaller learning rate or clipnorm");
}

// The run's callbacks, through the library's callback registry: relative files go into the
// output directory, checkpoints keep the preprocessing (as model.h5 does), and a bad key is a
// ConfigError naming its JSON path.
std::vector<CallbackPtr> make_callbacks(const json& list, const fs::path& out_dir,
                                        const FileAttributes& attributes) {
  std::vector<CallbackPtr> out;
  for (size_t i = 0; i < list.size(); ++i) {
    json entry = list[i];
    // The command reports when these act, unless the config says otherwise (Keras is silent).
    const std::string cls = entry.at("class_name");
    if ((cls == "EarlyStopping" || cls == "ReduceLROnPlateau") &&
        !entry.value("config", json::object()).contains("verbose"))
      entry["config"]["verbose"] = 1;
    const CallbackConfigOptions options = CallbackConfigOptions()
                                              .base_dir(out_dir.string())
                                              .attributes(attributes)
                                              .path("callbacks[" + std::to_string(i) + "].config");
    try {
      out.push_back(callback_from_config(entry, options));
    } catch (const Error& e) {
      throw ConfigError("", e.what());
    }
  }
  return out;
}

std::string history_csv(const History& h) {
  std::ostringstream os;
  os << "epoch";
  for (const auto& [k, v] : h.history) os << "," << k;
  os << "\n" << std::setprecision(10);
  for (size_t e = 0; e < h.epoch.size(); ++e) {
    os << h.epoch[e];
    for (const auto& [k, v] : h.history) os << "," << (e < v.size() ? v[e] : 0.0);
    os << "\n";
  }
  return os.str();
}

// Mean and standard deviation of every feature over the rows of x, scaled by pre.scale (the
// statistics of the scaled data, computed without a scaled copy).
void standardization(const Tensor& x, Preprocessing& pre) {
  const int64_t n = x.shape()[0], width = x.numel() / n;
  std::vector<double> sum(width, 0), sq(width, 0);
  const float* d = x.data<float>();
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < width; ++j)
      sum[j] += d[i * width + j], sq[j] += double(d[i * width + j]) * d[i * width + j];
  pre.mean.resize(width), pre.stddev.resize(width);
  for (int64_t j = 0; j < width; ++j) {
    const double m = sum[j] / n, var = std::max(0.0, sq[j] / n - m * m);
    pre.mean[j] = static_cast<float>(m * pre.scale);
    const double sd = std::sqrt(var) * std::fabs(pre.scale);
    pre.stddev[j] =
        sd > 1e-12 ? static_cast<float>(sd) : 1.0f;  // constant columns stay as they are
  }
}

}  // namespace

int train_command(int argc, char** argv) {
  cxxopts::Options opts("nabla train", "Train a model as a JSON config says.");
  opts.add_options()("config", "the run's JSON config", cxxopts::value<std::string>())(
      "epochs", "override fit.epochs (0 saves the freshly initialised model)",
      cxxopts::value<int>())("batch-size", "override fit.batch_size", cxxopts::value<int>())(
      "output-dir", "override output.dir", cxxopts::value<std::string>())(
      "weights", "start from the weights in this .h5, .weights.h5 or .keras (Keras's or nabla's)",
      cxxopts::value<std::string>())("seed", "override seed", cxxopts::value<uint64_t>())(
      "verbose", "0, 1 or 2", cxxopts::value<int>())(
      "device", "cpu or cuda[:N]", cxxopts::value<std::string>())("h,help", "show this help");
  opts.parse_positional({"config"});
  opts.positional_help("CONFIG.json");
  const auto parsed = parse_options(opts, argc, argv);
  if (!parsed) return 0;
  const cxxopts::ParseResult& args = *parsed;
  if (!args.count("config")) throw ConfigError("", "missing CONFIG.json (see nabla train --help)");

  // ---- everything is checked before the output directory is touched ----
  RunConfig rc = load_config(args["config"].as<std::string>());
  json& j = rc.json;
  if (args.count("epochs")) {
    if (args["epochs"].as<int>() < 0) throw ConfigError("--epochs", "must be >= 0");
    j["fit"]["epochs"] = args["epochs"].as<int>();
  }
  if (args.count("batch-size")) {
    if (args["batch-size"].as<int>() <= 0) throw ConfigError("--batch-size", "must be positive");
    j["fit"]["batch_size"] = args["batch-size"].as<int>();
  }
  if (args.count("verbose")) {
    if (args["verbose"].as<int>() < 0 || args["verbose"].as<int>() > 2)
      throw ConfigError("--verbose", "must be 0, 1 or 2");
    j["fit"]["verbose"] = args["verbose"].as<int>();
  }
  if (args.count("seed")) j["seed"] = args["seed"].as<uint64_t>();
  if (args.count("output-dir"))
    j["output"]["dir"] = fs::absolute(args["output-dir"].as<std::string>()).string();
  if (args.count("device")) {
    try {
      Device::parse(args["device"].as<std::string>());
    } catch (const Error& e) {
      throw ConfigError("--device", e.what());
    }
    j["device"] = args["device"].as<std::string>();
  }
  if (args.count("weights"))
    j["init_weights"] = fs::absolute(args["weights"].as<std::string>()).string();

  // Under mpirun: data-parallel over the ranks, rank 0 printing and writing (docs/distributed.md).
  const std::optional<distributed::Strategy> strategy = data_parallel_strategy(j);
  const bool chief = !strategy || strategy->is_chief();

  set_seed(rc.seed());
  const Device device = Device::parse(rc.device());
  std::string why;
  if (!device_available(device, &why)) throw ConfigError("device", why);
  Model model = build_model(rc);
  compile_model(model, rc, device);

  // The data, one tensor per model input and output. A source naming them ("inputs",
  // "targets") is read by name; one x and y feed a one-input, one-output model as before.
  Preprocessing pre;
  pre.scale = rc.scale();
  pre.allow_non_finite = rc.allow_non_finite();
  const auto train_src = rc.data("train");
  if (!train_src) throw ConfigError("data", "missing key 'train'");
  const bool named =
      uses_names(*train_src) || model.input_names().size() != 1 || model.output_names().size() != 1;
  if (named && rc.standardize())
    throw ConfigError("data.standardize",
                      "standardization is for one input given as x; scale, or standardize "
                      "the files, for data given by name");
  ModelData train;
  if (named) {
    train = load_named_split(*train_src, model, pre.scale);
  } else {
    Split split = load_split(*train_src, pre, true);
    train = {{fit_to_model(split.x, model, train_src->path)}, {split.y}};
  }
  check_model_labels(train, model, train_src->path + (train_src->format == "idx" ? ".labels" : ""));
  const int64_t n = train.rows();
  const double vsplit = rc.validation_split();
  const int64_t fit_rows =
      vsplit > 0 ? static_cast<int64_t>(static_cast<double>(n) * (1 - vsplit)) : n;
  if (vsplit > 0 && (fit_rows <= 0 || fit_rows >= n))
    throw ConfigError("data.validation_split",
                      "leaves no training or no validation samples of " + std::to_string(n));
  if (!named) {
    // Statistics of the training rows only: not the validation split, not the test data.
    if (rc.standardize()) standardization(train.x[0].rows(0, fit_rows), pre);
    pre.apply(train.x[0]);
  }
  std::optional<ModelData> test, validation;
  for (const char* name : {"test", "validation"}) {
    if (const auto src = rc.data(name)) {
      ModelData d;
      if (named) {
        d = load_named_split(*src, model, pre.scale);
      } else {
        Split s = load_split(*src, pre, false);
        d = {{fit_to_model(s.x, model, src->path)}, {s.y}};
        pre.apply(d.x[0]);
      }
      check_model_labels(d, model, src->path);
      (std::string(name) == "test" ? test : validation) = d;
    }
  }
  if (j.contains("init_weights") && chief) {  // fit gives rank 0's weights to every rank
    try {
      model.load_weights(j["init_weights"].get<std::string>());
    } catch (const Error& e) {
      throw ConfigError("--weights", e.what());
    }
  }
  j["data"]["preprocessing"] = pre.to_json();

  const fs::path out_dir(rc.output_dir());
  std::error_code ec;
  if (chief) fs::create_directories(out_dir, ec);  // only rank 0 writes there
  if (chief && (ec || !fs::is_directory(out_dir)))
    throw ConfigError("output.dir", "cannot create directory '" + out_dir.string() + "'");
  const FileAttributes attributes = pre.to_attributes();
  const std::vector<CallbackPtr> callbacks = make_callbacks(rc.callbacks(), out_dir, attributes);

  // ---- training: failures from here on exit 1 ----
  const json& f = rc.fit();
  FitOptions fo = FitOptions()
                      .epochs(f.at("epochs").get<int>())
                      .batch_size(f.at("batch_size").get<int>())
                      .shuffle(f.at("shuffle").get<bool>())
                      .verbose(f.at("verbose").get<int>())
                      .initial_epoch(f.value("initial_epoch", 0))
                      .seed(rc.seed())
                      .callbacks(callbacks);
  if (validation) {
    fo.validation_data(ValidationData(validation->x, validation->y));
  } else if (vsplit > 0) {
    fo.validation_split(vsplit);
  }
  if (strategy) fo.strategy(*strategy);
  ClassWeight cw;
  const json class_weight = f.value("class_weight", json::object());  // items() points into it
  for (const auto& [k, v] : class_weight.items()) cw[std::stoll(k)] = v.get<double>();
  fo.class_weight(cw);
  if (fo.verbose()) model.summary(std::cout);
  const History history = model.fit(train.x, train.y, fo);
  refuse_diverged_run(model, callbacks, history, out_dir);

  const fs::path model_file =
      out_dir / (rc.output_format() == "keras" ? "model.keras" : "model.h5");
  if (chief) {  // only rank 0 writes
    save_model(model, model_file.string(), attributes);
    json hist = json::object();
    for (const auto& [k, v] : history.history) hist[k] = v;
    write_text_atomically((out_dir / "history.json").string(), hist.dump(2) + "\n");
    write_text_atomically((out_dir / "history.csv").string(), history_csv(history));
    write_text_atomically((out_dir / "config.json").string(), j.dump(2) + "\n");
  }
  if (test) {  // sharded over the ranks when there are several: every rank evaluates
    const Logs logs =
        model.evaluate(test->x, test->y, EvaluateOptions().batch_size(fo.batch_size()).verbose(0));
    json metrics_json(logs);
    if (chief)
      write_text_atomically((out_dir / "metrics.json").string(), metrics_json.dump(2) + "\n");
    std::cout << "test:";
    for (const auto& [k, v] : logs) std::cout << " " << k << "=" << std::setprecision(6) << v;
    std::cout << "\n";
  }
  std::cout << "saved " << model_file.string() << "\n";
  return 0;
}

}  // namespace nabla::cli
