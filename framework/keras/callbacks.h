// Callbacks: hooks into fit, evaluate and predict, and the Keras built-ins.
#pragma once

#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "framework/core/tensor.h"

namespace nabla {

class Sequential;

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

  void set_model(Sequential* model) { model_ = model; }
  Sequential& model() const;

 private:
  Sequential* model_ = nullptr;
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
enum class Mode { Auto, Min, Max };

/// Stops training when `monitor` has stopped improving for `patience` epochs.
class EarlyStopping : public Callback {
 public:
  struct Options {
    std::string monitor = "val_loss";
    double min_delta = 0.0;
    int patience = 0;
    Mode mode = Mode::Auto;
    std::optional<double> baseline;
    bool restore_best_weights = false;
    int start_from_epoch = 0;
    int verbose = 0;
  };
  EarlyStopping() : EarlyStopping(Options()) {}
  explicit EarlyStopping(Options options);
  void on_train_begin(const Logs&) override;
  void on_epoch_end(int epoch, Logs& logs) override;
  void on_train_end(const Logs&) override;
  /// The epoch training stopped at (0 when it did not stop early).
  int stopped_epoch() const { return stopped_epoch_; }
  int best_epoch() const { return best_epoch_; }

 private:
  bool improved(double value, double reference) const;
  Options o_;
  bool maximize_ = false;
  double best_ = 0;
  int wait_ = 0, stopped_epoch_ = 0, best_epoch_ = 0;
  TensorList best_weights_;
};

/// Saves the model (or its weights) after epochs, to a path that may name the epoch and logs:
/// "ckpt-{epoch:02d}-{val_loss:.4f}.h5" (epochs are numbered from 1 in file names, as in Keras).
class ModelCheckpoint : public Callback {
 public:
  struct Options {
    std::string monitor = "val_loss";
    bool save_best_only = false;
    bool save_weights_only = false;
    Mode mode = Mode::Auto;
    int verbose = 0;
  };
  explicit ModelCheckpoint(std::string filepath)
      : ModelCheckpoint(std::move(filepath), Options()) {}
  ModelCheckpoint(std::string filepath, Options options);
  void on_epoch_end(int epoch, Logs& logs) override;
  /// The path for `epoch` (0-based) and `logs`; ValueError for a placeholder naming no log.
  std::string format_path(int epoch, const Logs& logs) const;

 private:
  std::string filepath_;
  Options o_;
  bool maximize_ = false;
  std::optional<double> best_;
};

/// Multiplies the learning rate by `factor` when `monitor` has not improved for `patience`
/// epochs.
class ReduceLROnPlateau : public Callback {
 public:
  struct Options {
    std::string monitor = "val_loss";
    double factor = 0.1;
    int patience = 10;
    Mode mode = Mode::Auto;
    double min_delta = 1e-4;
    int cooldown = 0;
    double min_lr = 0.0;
    int verbose = 0;
  };
  ReduceLROnPlateau() : ReduceLROnPlateau(Options()) {}
  explicit ReduceLROnPlateau(Options options);
  void on_train_begin(const Logs&) override;
  void on_epoch_end(int epoch, Logs& logs) override;

 private:
  Options o_;
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
bool monitor_maximizes(Mode mode, const std::string& monitor);

}  // namespace nabla
