// Callbacks: hooks into fit, evaluate and predict, and the Keras built-ins.
#pragma once

#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "framework/core/options.h"
#include "framework/core/tensor.h"

namespace nabla {

class Model;

/// Epoch (or batch) results by name: "loss", "accuracy", "val_loss", "lr", ...
using Logs = std::map<std::string, double>;

/// Subclass to act during training. Epochs are numbered from 0, as in Keras.
class Callback {
 public:
  virtual ~Callback() = default;
  virtual void on_train_begin(const Logs& logs) {}
  virtual void on_train_end(const Logs& logs) {}
  virtual void on_epoch_begin(int epoch, const Logs& logs) {}
  /// `logs` holds the epoch's training and validation results; callbacks may add to it.
  virtual void on_epoch_end(int epoch, Logs& logs) {}
  virtual void on_train_batch_begin(int batch, const Logs& logs) {}
  virtual void on_train_batch_end(int batch, const Logs& logs) {}
  virtual void on_test_begin(const Logs& logs) {}
  virtual void on_test_end(const Logs& logs) {}
  /// True for callbacks that only write files (checkpoints, CSV logs, TensorBoard events): in
  /// data-parallel training only rank 0 runs them, as every rank holds the same model and logs.
  virtual bool chief_only() const { return false; }

  /// The model being trained or evaluated (fit and evaluate set it).
  void set_model(Model* model) { model_ = model; }
  Model& model() const;

 private:
  Model* model_ = nullptr;
};

using CallbackPtr = std::shared_ptr<Callback>;

/// Keras's `History`: every epoch's logs. fit() returns one.
class History : public Callback {
 public:
  /// Values per key, one per epoch: history.history["loss"][2].
  std::map<std::string, std::vector<double>> history;
  std::vector<int> epoch;
  void on_train_begin(const Logs&) override {}
  void on_epoch_end(int epoch, Logs& logs) override;
};

/// How a monitored quantity improves: "min", "max", or "auto" (max for accuracy-like names).
enum class MonitorMode { Auto, Min, Max };

/// EarlyStopping's arguments, as Keras's.
struct EarlyStoppingOptions {
  NABLA_ARG(std::string, monitor) = "val_loss";
  NABLA_ARG(double, min_delta) = 0.0;
  NABLA_ARG(int, patience) = 0;
  NABLA_ARG(MonitorMode, mode) = MonitorMode::Auto;
  NABLA_ARG(std::optional<double>, baseline) = std::nullopt;
  NABLA_ARG(bool, restore_best_weights) = false;
  NABLA_ARG(int, start_from_epoch) = 0;
  NABLA_ARG(int, verbose) = 0;
};

/// Extra facts saved with a model as root attributes "nabla_<key>" (JSON text) and read back by
/// load_model (framework/keras/checkpoint.h): the `nabla` command keeps its preprocessing
/// (scaling, standardization statistics, class names) here. Keras ignores them.
using FileAttributes = std::map<std::string, std::string>;

/// ModelCheckpoint's arguments, as Keras's, plus the extra file attributes to save with each
/// checkpoint.
struct ModelCheckpointOptions {
  NABLA_ARG(std::string, monitor) = "val_loss";
  NABLA_ARG(bool, save_best_only) = false;
  NABLA_ARG(bool, save_weights_only) = false;
  NABLA_ARG(MonitorMode, mode) = MonitorMode::Auto;
  NABLA_ARG(int, verbose) = 0;
  NABLA_ARG(FileAttributes, attributes) = {};
};

/// ReduceLROnPlateau's arguments, as Keras's.
struct ReduceLROnPlateauOptions {
  NABLA_ARG(std::string, monitor) = "val_loss";
  NABLA_ARG(double, factor) = 0.1;
  NABLA_ARG(int, patience) = 10;
  NABLA_ARG(MonitorMode, mode) = MonitorMode::Auto;
  NABLA_ARG(double, min_delta) = 1e-4;
  NABLA_ARG(int, cooldown) = 0;
  NABLA_ARG(double, min_lr) = 0.0;
  NABLA_ARG(int, verbose) = 0;
};

/// Stops training when `monitor` has stopped improving for `patience` epochs.
class EarlyStopping : public Callback {
 public:
  explicit EarlyStopping(EarlyStoppingOptions options = EarlyStoppingOptions());
  void on_train_begin(const Logs&) override;
  void on_epoch_end(int epoch, Logs& logs) override;
  void on_train_end(const Logs&) override;
  /// The epoch training stopped at (0 when it did not stop early).
  int stopped_epoch() const { return stopped_epoch_; }
  /// The epoch of the best monitored value so far.
  int best_epoch() const { return best_epoch_; }
  /// The options it was made with.
  const EarlyStoppingOptions& options() const { return o_; }

 private:
  bool improved(double value, double reference) const;
  EarlyStoppingOptions o_;
  bool maximize_ = false;
  double best_ = 0;
  int wait_ = 0, stopped_epoch_ = 0, best_epoch_ = 0;
  TensorList best_weights_;
};

/// Saves the model (or its weights) after epochs, to a path that may name the epoch and logs:
/// "ckpt-{epoch:02d}-{val_loss:.4f}.h5" (epochs are numbered from 1 in file names, as in Keras).
class ModelCheckpoint : public Callback {
 public:
  explicit ModelCheckpoint(std::string filepath,
                           ModelCheckpointOptions options = ModelCheckpointOptions());
  void on_epoch_end(int epoch, Logs& logs) override;
  bool chief_only() const override { return true; }
  /// The path for `epoch` (0-based) and `logs`; ValueError for a placeholder naming no log.
  std::string format_path(int epoch, const Logs& logs) const;
  /// The path pattern it was made with.
  const std::string& filepath() const { return filepath_; }
  /// The options it was made with.
  const ModelCheckpointOptions& options() const { return o_; }

 private:
  std::string filepath_;
  ModelCheckpointOptions o_;
  bool maximize_ = false;
  std::optional<double> best_;
};

/// Multiplies the learning rate by `factor` when `monitor` has not improved for `patience`
/// epochs.
class ReduceLROnPlateau : public Callback {
 public:
  explicit ReduceLROnPlateau(ReduceLROnPlateauOptions options = ReduceLROnPlateauOptions());
  void on_train_begin(const Logs&) override;
  void on_epoch_end(int epoch, Logs& logs) override;
  /// The options it was made with.
  const ReduceLROnPlateauOptions& options() const { return o_; }

 private:
  ReduceLROnPlateauOptions o_;
  bool maximize_ = false;
  double best_ = 0;
  int wait_ = 0, cooldown_counter_ = 0;
};

/// Sets the learning rate at the start of each epoch to schedule(epoch, current_lr).
class LearningRateScheduler : public Callback {
 public:
  explicit LearningRateScheduler(std::function<double(int epoch, double lr)> schedule,
                                 int verbose = 0)
      : schedule_(std::move(schedule)), verbose_(verbose) {}
  void on_epoch_begin(int epoch, const Logs& logs) override;

 private:
  std::function<double(int, double)> schedule_;
  int verbose_;
};

/// Streams epoch results to a CSV file: a header "epoch,<keys...>" then one row per epoch. The file
/// is rewritten all or nothing after each epoch (write_text_atomically), so a failed write never
/// loses the rows already there. With `append`, rows go after an existing file's content.
class CSVLogger : public Callback {
 public:
  explicit CSVLogger(std::string filename, char separator = ',', bool append = false);
  void on_train_begin(const Logs&) override;
  void on_epoch_end(int epoch, Logs& logs) override;
  void on_train_end(const Logs&) override;
  bool chief_only() const override { return true; }

 private:
  std::string filename_;
  char sep_;
  bool append_;
  std::string text_;  // the file's content so far
  bool header_written_ = false;
  std::vector<std::string> keys_;
};

/// Stops training as soon as a batch loss is NaN or infinite, and says so.
class TerminateOnNaN : public Callback {
 public:
  void on_train_batch_end(int batch, const Logs& logs) override;
  /// True once it stopped a run.
  bool terminated() const { return terminated_; }

 private:
  bool terminated_ = false;
};

/// A callback made of lambdas.
class LambdaCallback : public Callback {
 public:
  std::function<void(int, Logs&)> on_epoch_end_fn;
  std::function<void(int, const Logs&)> on_epoch_begin_fn;
  std::function<void(int, const Logs&)> on_batch_end_fn;
  std::function<void(const Logs&)> on_train_begin_fn;
  std::function<void(const Logs&)> on_train_end_fn;
  void on_epoch_end(int epoch, Logs& logs) override {
    if (on_epoch_end_fn) on_epoch_end_fn(epoch, logs);
  }
  void on_epoch_begin(int epoch, const Logs& logs) override {
    if (on_epoch_begin_fn) on_epoch_begin_fn(epoch, logs);
  }
  void on_train_batch_end(int batch, const Logs& logs) override {
    if (on_batch_end_fn) on_batch_end_fn(batch, logs);
  }
  void on_train_begin(const Logs& logs) override {
    if (on_train_begin_fn) on_train_begin_fn(logs);
  }
  void on_train_end(const Logs& logs) override {
    if (on_train_end_fn) on_train_end_fn(logs);
  }
};

/// True when `mode` (Auto resolved by the monitored name) means "bigger is better".
bool monitor_maximizes(MonitorMode mode, const std::string& monitor);

}  // namespace nabla
