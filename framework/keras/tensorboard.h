// TensorBoard: Keras's callback that writes event files for TensorBoard.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "framework/core/options.h"
#include "framework/keras/callbacks.h"

namespace nabla {

namespace tensorboard {
class EventFileWriter;
}

/// Keras's update_freq: how often TensorBoard writes batch-level scalars. "epoch" writes none
/// (epoch summaries only), "batch" every batch, a number N every N batches.
class UpdateFreq {
 public:
  /// "epoch" or "batch"; anything else is a ValueError.
  UpdateFreq(const char* name);  // NOLINT(google-explicit-constructor): reads as Keras's string
  UpdateFreq(const std::string& name);  // NOLINT(google-explicit-constructor)
  /// Every `batches` batches (>= 1; a ValueError otherwise).
  UpdateFreq(int batches);  // NOLINT(google-explicit-constructor)
  /// 0 for "epoch", else the number of batches between writes.
  int64_t batches() const { return batches_; }
  /// "epoch", "batch" or the number, as a config would say it.
  std::string to_string() const;

 private:
  int64_t batches_ = 0;
};

/// TensorBoard's arguments, as Keras's.
struct TensorBoardOptions {
  /// The directory holding the train/ and validation/ runs (made when training starts).
  NABLA_ARG(std::string, log_dir) = "logs";
  /// Write weight histograms every this many epochs (0: never).
  NABLA_ARG(int, histogram_freq) = 0;
  /// Write the training graph and the model config once, when training starts.
  NABLA_ARG(bool, write_graph) = true;
  /// Batch-level scalars: "epoch" (none), "batch" or every N batches.
  NABLA_ARG(UpdateFreq, update_freq) = "epoch";
};

/// Keras's TensorBoard callback. It writes two runs TensorBoard shows side by side:
/// `log_dir/train` with epoch_loss, epoch_<metric> and epoch_learning_rate at each epoch (and
/// batch_loss, batch_<metric> at the global step with update_freq), weight histograms every
/// histogram_freq epochs ("dense/kernel/histogram") and, with write_graph, the compiled training
/// graph (the Graphs tab) and the Keras model config (its conceptual graph); and
/// `log_dir/validation` with the validation results as epoch_loss, epoch_<metric>.
///
///     auto tb = std::make_shared<TensorBoard>(TensorBoardOptions().log_dir("logs")
///                                                                 .histogram_freq(1));
///     model.fit(x, y, FitOptions().epochs(10).validation_split(0.1).callbacks({tb}));
///     // then: tensorboard --logdir logs
///
/// Each fit() starts new event files, so earlier ones are kept. Events are flushed at the end
/// of every epoch. Keras's profile_batch, write_images, write_steps_per_second and embeddings
/// options are not offered (nabla has no profiler to sample).
class TensorBoard : public Callback {
 public:
  /// Logs to `log_dir` with Keras's defaults.
  explicit TensorBoard(const std::string& log_dir = "logs");
  /// ValueError for a negative histogram_freq or an empty log_dir.
  explicit TensorBoard(TensorBoardOptions options);
  ~TensorBoard() override;
  bool chief_only() const override { return true; }

  /// Opens the train writer; writes the graph and model config when write_graph.
  void on_train_begin(const Logs& logs) override;
  /// Counts the global step (the optimizer's iteration count).
  void on_train_batch_begin(int batch, const Logs& logs) override;
  /// Writes batch_<name> scalars every update_freq batches.
  void on_train_batch_end(int batch, const Logs& logs) override;
  /// Writes the epoch scalars (and histograms when due) and flushes.
  void on_epoch_end(int epoch, Logs& logs) override;
  /// Flushes and closes the event files.
  void on_train_end(const Logs& logs) override;

  /// The options it was made with.
  const TensorBoardOptions& options() const { return o_; }
  /// The event files written so far by this callback (train first), for tools and tests.
  std::vector<std::string> event_files() const;

 private:
  tensorboard::EventFileWriter& validation_writer();
  void write_histograms(int epoch);

  TensorBoardOptions o_;
  std::unique_ptr<tensorboard::EventFileWriter> train_, validation_;
  std::vector<std::string> files_;
  int64_t global_step_ = 0;
};

}  // namespace nabla
