// TensorBoard callback: what Keras's callback writes, through nabla's own event writer.
#include "framework/keras/tensorboard.h"

#include <filesystem>

#include "framework/core/errors.h"
#include "framework/keras/sequential.h"
#include "framework/ops/ops.h"
#include "framework/tensorboard/event_writer.h"
#include "framework/tensorboard/graph_def.h"
#include "optimizers/optimizer.h"

namespace nabla {

namespace fs = std::filesystem;

UpdateFreq::UpdateFreq(const char* name) : UpdateFreq(std::string(name ? name : "")) {}

UpdateFreq::UpdateFreq(const std::string& name) {
  if (name == "epoch") {
    batches_ = 0;
  } else if (name == "batch") {
    batches_ = 1;
  } else {
    throw ValueError("update_freq: expected \"epoch\", \"batch\" or a number of batches, got \"" +
                     name + "\"");
  }
}

UpdateFreq::UpdateFreq(int batches) : batches_(batches) {
  if (batches < 1)
    throw ValueError("update_freq: a number of batches must be >= 1, got " +
                     std::to_string(batches));
}

std::string UpdateFreq::to_string() const {
  if (batches_ == 0) return "epoch";
  return batches_ == 1 ? "batch" : std::to_string(batches_);
}

TensorBoard::TensorBoard(const std::string& log_dir)
    : TensorBoard(TensorBoardOptions().log_dir(log_dir)) {}

TensorBoard::TensorBoard(TensorBoardOptions options) : o_(std::move(options)) {
  if (o_.log_dir().empty()) throw ValueError("TensorBoard: log_dir is empty");
  if (o_.histogram_freq() < 0)
    throw ValueError("TensorBoard: histogram_freq must be >= 0, got " +
                     std::to_string(o_.histogram_freq()));
}

TensorBoard::~TensorBoard() = default;

std::vector<std::string> TensorBoard::event_files() const {
  return files_;
}

void TensorBoard::on_train_begin(const Logs&) {
  // New writers for every fit: a second fit adds files instead of touching the first one's.
  validation_.reset();
  train_ =
      std::make_unique<tensorboard::EventFileWriter>((fs::path(o_.log_dir()) / "train").string());
  files_.push_back(train_->path());
  // The global step continues the optimizer's count, so batch scalars of a second fit (or of a
  // run resumed from saved optimizer state) follow the first instead of starting again at 1.
  global_step_ = model().optimizer().iterations_value();
  if (o_.write_graph()) {
    train_->add_keras_model("keras", model().to_json());
    train_->add_graph(tensorboard::graph_def(model().graph()));
  }
  train_->flush();
}

void TensorBoard::on_train_batch_begin(int, const Logs&) {
  ++global_step_;
}

void TensorBoard::on_train_batch_end(int, const Logs& logs) {
  const int64_t every = o_.update_freq().batches();
  if (every == 0 || !train_ || global_step_ % every != 0) return;
  for (const auto& [name, value] : logs) train_->add_scalar("batch_" + name, value, global_step_);
}

tensorboard::EventFileWriter& TensorBoard::validation_writer() {
  // Made on first use, as Keras does, so a fit without validation data has no validation run.
  if (!validation_) {
    validation_ = std::make_unique<tensorboard::EventFileWriter>(
        (fs::path(o_.log_dir()) / "validation").string());
    files_.push_back(validation_->path());
  }
  return *validation_;
}

void TensorBoard::on_epoch_end(int epoch, Logs& logs) {
  if (!train_) return;
  for (const auto& [name, value] : logs) {
    if (name.rfind("val_", 0) == 0) {
      validation_writer().add_scalar("epoch_" + name.substr(4), value, epoch);
    } else if (name != "lr" && name != "learning_rate") {  // written once, below
      train_->add_scalar("epoch_" + name, value, epoch);
    }
  }
  train_->add_scalar("epoch_learning_rate", model().optimizer().learning_rate(), epoch);
  if (o_.histogram_freq() > 0 && epoch % o_.histogram_freq() == 0) write_histograms(epoch);
  train_->flush();
  if (validation_) validation_->flush();
}

void TensorBoard::write_histograms(int epoch) {
  for (const Variable& w : model().weights()) {
    std::string tag = w.name();
    for (char& c : tag)
      if (c == ':') c = '_';  // Keras's "dense/kernel:0" -> "dense/kernel_0"
    const Tensor values = cast(w.value().to(Device::CPU), DType::Float64);
    train_->add_histogram(
        tag + "/histogram",
        std::span<const double>(values.data<double>(), static_cast<size_t>(values.numel())), epoch);
  }
}

void TensorBoard::on_train_end(const Logs&) {
  if (train_) train_->close();
  if (validation_) validation_->close();
  train_.reset();
  validation_.reset();
}

}  // namespace nabla
