#include "framework/keras/callbacks.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <regex>
#include <sstream>

#include "framework/core/errors.h"
#include "framework/io/atomic_file.h"
#include "framework/keras/checkpoint.h"
#include "framework/keras/model.h"

namespace nabla {

Model& Callback::model() const {
  if (!model_) throw StateError("the callback is not attached to a model (fit attaches it)");
  return *model_;
}

bool monitor_maximizes(MonitorMode mode, const std::string& monitor) {
  if (mode != MonitorMode::Auto) return mode == MonitorMode::Max;
  // Keras's "auto": accuracy-like quantities grow, everything else shrinks.
  for (const char* up : {"acc", "accuracy", "auc", "precision", "recall", "f1"})
    if (monitor.find(up) != std::string::npos) return true;
  return false;
}

namespace {
// The monitored value, or nullopt with a warning (as Keras) when the logs lack it.
std::optional<double> monitored(const Logs& logs, const std::string& monitor, const char* who) {
  auto it = logs.find(monitor);
  if (it != logs.end()) return it->second;
  std::string keys;
  for (const auto& [k, v] : logs) keys += (keys.empty() ? "" : ", ") + k;
  std::cerr << who << ": the monitored quantity '" << monitor << "' is not in the logs (" << keys
            << "); skipping\n";
  return std::nullopt;
}
}  // namespace

void History::on_epoch_end(int e, Logs& logs) {
  epoch.push_back(e);
  for (const auto& [k, v] : logs) history[k].push_back(v);
}

// ---- EarlyStopping ----

EarlyStopping::EarlyStopping(EarlyStoppingOptions options) : o_(std::move(options)) {
  if (o_.patience() < 0) throw ValueError("EarlyStopping: patience must be >= 0");
}

bool EarlyStopping::improved(double value, double reference) const {
  const double delta = std::fabs(o_.min_delta());
  return maximize_ ? value - delta > reference : value + delta < reference;
}

void EarlyStopping::on_train_begin(const Logs&) {
  maximize_ = monitor_maximizes(o_.mode(), o_.monitor());
  best_ = o_.baseline() ? *o_.baseline() : (maximize_ ? -INFINITY : INFINITY);
  wait_ = stopped_epoch_ = best_epoch_ = 0;
  best_weights_.clear();
}

void EarlyStopping::on_epoch_end(int epoch, Logs& logs) {
  const auto value = monitored(logs, o_.monitor(), "EarlyStopping");
  if (!value || epoch < o_.start_from_epoch()) return;
  if (o_.restore_best_weights() && best_weights_.empty()) best_weights_ = model().get_weights();
  ++wait_;
  if (improved(*value, best_)) {
    best_ = *value;
    best_epoch_ = epoch;
    if (o_.restore_best_weights()) best_weights_ = model().get_weights();
    // Only reset the wait if the baseline (if any) is beaten, as Keras.
    if (!o_.baseline() || improved(*value, *o_.baseline())) wait_ = 0;
    return;
  }
  if (wait_ >= o_.patience() && epoch > 0) {
    stopped_epoch_ = epoch;
    model().set_stop_training(true);
    if (o_.restore_best_weights() && !best_weights_.empty()) {
      if (o_.verbose())
        std::cout << "Restoring model weights from the end of the best epoch: " << best_epoch_ + 1
                  << ".\n";
      model().set_weights(best_weights_);
    }
  }
}

void EarlyStopping::on_train_end(const Logs&) {
  if (stopped_epoch_ > 0 && o_.verbose())
    std::cout << "Epoch " << stopped_epoch_ + 1 << ": early stopping\n";
}

// ---- ModelCheckpoint ----

ModelCheckpoint::ModelCheckpoint(std::string filepath, ModelCheckpointOptions options)
    : filepath_(std::move(filepath)), o_(std::move(options)) {
  if (filepath_.empty()) throw ValueError("ModelCheckpoint: empty file path");
  maximize_ = monitor_maximizes(o_.mode(), o_.monitor());
}

std::string ModelCheckpoint::format_path(int epoch, const Logs& logs) const {
  // Python-style fields: {epoch}, {epoch:02d}, {val_loss:.4f}.
  static const std::regex field(R"(\{([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?\})");
  std::string out;
  auto begin = std::sregex_iterator(filepath_.begin(), filepath_.end(), field);
  size_t last = 0;
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    const std::smatch& m = *it;
    out += filepath_.substr(last, m.position() - last);
    last = m.position() + m.length();
    const std::string key = m[1], spec = m[2];
    double value;
    if (key == "epoch") {
      value = epoch + 1;
    } else if (auto l = logs.find(key); l != logs.end()) {
      value = l->second;
    } else {
      std::string keys = "epoch";
      for (const auto& [k, v] : logs) keys += ", " + k;
      throw ValueError("ModelCheckpoint: the file path '" + filepath_ + "' names '" + key +
                       "', which is not in the logs (" + keys + ")");
    }
    char buf[64];
    std::smatch fm;
    static const std::regex int_spec(R"((0?)(\d*)d)"), float_spec(R"(\.(\d+)f)");
    if (std::regex_match(spec, fm, int_spec)) {
      std::snprintf(buf, sizeof buf, ("%" + fm[1].str() + fm[2].str() + "lld").c_str(),
                    static_cast<long long>(value));
    } else if (std::regex_match(spec, fm, float_spec)) {
      std::snprintf(buf, sizeof buf, ("%." + fm[1].str() + "f").c_str(), value);
    } else if (spec.empty()) {
      std::snprintf(buf, sizeof buf, key == "epoch" ? "%.0f" : "%g", value);
    } else {
      throw ValueError("ModelCheckpoint: unsupported format '" + spec + "' in '" + filepath_ + "'");
    }
    out += buf;
  }
  return out + filepath_.substr(last);
}

void ModelCheckpoint::on_epoch_end(int epoch, Logs& logs) {
  const std::string path = format_path(epoch, logs);
  // A diverged run must never replace a good checkpoint: a non-finite monitored value or
  // non-finite weights skip the save, whatever save_best_only says.
  if (auto it = logs.find(o_.monitor()); it != logs.end() && !std::isfinite(it->second)) {
    std::cerr << "Epoch " << epoch + 1 << ": ModelCheckpoint: " << o_.monitor() << " is "
              << it->second << "; not saving " << path << "\n";
    return;
  }
  if (!all_finite(model().weights())) {
    std::cerr << "Epoch " << epoch + 1
              << ": ModelCheckpoint: the weights hold NaN or infinite values; not saving " << path
              << "\n";
    return;
  }
  if (o_.save_best_only()) {
    const auto value = monitored(logs, o_.monitor(), "ModelCheckpoint");
    if (!value) return;
    const bool better = !best_ || (maximize_ ? *value > *best_ : *value < *best_);
    if (!better) {
      if (o_.verbose())
        std::cout << "Epoch " << epoch + 1 << ": " << o_.monitor() << " did not improve from "
                  << *best_ << "\n";
      return;
    }
    if (o_.verbose())
      std::cout << "Epoch " << epoch + 1 << ": " << o_.monitor() << " improved to " << *value
                << ", saving to " << path << "\n";
    best_ = *value;
  } else if (o_.verbose()) {
    std::cout << "Epoch " << epoch + 1 << ": saving model to " << path << "\n";
  }
  if (o_.save_weights_only()) {
    save_weights(model(), path);
  } else {
    save_model(model(), path, o_.attributes());
  }
}

// ---- ReduceLROnPlateau ----

ReduceLROnPlateau::ReduceLROnPlateau(ReduceLROnPlateauOptions options) : o_(std::move(options)) {
  if (!(o_.factor() < 1.0 && o_.factor() >= 0.0))
    throw ValueError("ReduceLROnPlateau: factor must be in [0, 1)");
}

void ReduceLROnPlateau::on_train_begin(const Logs&) {
  maximize_ = monitor_maximizes(o_.mode(), o_.monitor());
  best_ = maximize_ ? -INFINITY : INFINITY;
  wait_ = cooldown_counter_ = 0;
}

void ReduceLROnPlateau::on_epoch_end(int epoch, Logs& logs) {
  const auto value = monitored(logs, o_.monitor(), "ReduceLROnPlateau");
  if (!value) return;
  if (cooldown_counter_ > 0) --cooldown_counter_, wait_ = 0;
  const bool better = maximize_ ? *value > best_ + o_.min_delta() : *value < best_ - o_.min_delta();
  if (better) {
    best_ = *value;
    wait_ = 0;
    return;
  }
  if (cooldown_counter_ > 0) return;
  if (++wait_ >= o_.patience()) {
    Optimizer& opt = model().optimizer();
    const double old_lr = opt.learning_rate();
    if (old_lr > o_.min_lr()) {
      const double new_lr = std::max(old_lr * o_.factor(), o_.min_lr());
      opt.set_learning_rate(new_lr);
      if (o_.verbose())
        std::cout << "Epoch " << epoch + 1 << ": ReduceLROnPlateau reducing learning rate to "
                  << new_lr << ".\n";
      cooldown_counter_ = o_.cooldown();
      wait_ = 0;
    }
  }
}

// ---- LearningRateScheduler, CSVLogger, TerminateOnNaN ----

void LearningRateScheduler::on_epoch_begin(int epoch, const Logs&) {
  Optimizer& opt = model().optimizer();
  const double lr = schedule_(epoch, opt.learning_rate());
  if (!std::isfinite(lr))
    throw ValueError("LearningRateScheduler: the schedule returned " + std::to_string(lr));
  opt.set_learning_rate(lr);
  if (verbose_)
    std::cout << "Epoch " << epoch + 1 << ": LearningRateScheduler setting learning rate to " << lr
              << ".\n";
}

CSVLogger::CSVLogger(std::string filename, char separator, bool append)
    : filename_(std::move(filename)), sep_(separator), append_(append) {}

void CSVLogger::on_train_begin(const Logs&) {
  text_.clear();
  keys_.clear();
  if (append_ && std::filesystem::exists(filename_)) {
    std::ifstream in(filename_, std::ios::binary);
    if (!in) throw IOError("CSVLogger: cannot read '" + filename_ + "' to append to it");
    text_.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  header_written_ = !text_.empty();  // as Keras: appending to a non-empty file adds no header
}

void CSVLogger::on_epoch_end(int epoch, Logs& logs) {
  std::ostringstream row;
  if (keys_.empty()) {
    for (const auto& [k, v] : logs) keys_.push_back(k);
    if (!header_written_) {
      row << "epoch";
      for (const auto& k : keys_) row << sep_ << k;
      row << "\n";
      header_written_ = true;
    }
  }
  row << epoch;
  for (const auto& k : keys_) {
    auto it = logs.find(k);
    row << sep_;
    if (it != logs.end()) row << std::setprecision(17) << it->second;
  }
  row << "\n";
  text_ += row.str();
  // The whole log, rewritten all or nothing each epoch: a full disk never truncates the rows
  // already logged.
  write_text_atomically(filename_, text_);
}

void CSVLogger::on_train_end(const Logs&) {}

void TerminateOnNaN::on_train_batch_end(int batch, const Logs& logs) {
  auto it = logs.find("loss");
  if (it == logs.end() || std::isfinite(it->second)) return;
  std::cout << "Batch " << batch << ": invalid loss, terminating training\n";
  terminated_ = true;
  model().set_stop_training(true);
}

}  // namespace nabla
