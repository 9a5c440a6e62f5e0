// Sequential::fit, evaluate, predict: the loops that feed batches through compiled plans.
//
// Each loop compiles its plans once (one for full batches, one for a last partial batch), then per
// batch gathers rows straight into the plan's feed buffers, runs the plan and reads the loss and
// metric statistics back. Nothing in a step allocates.
#include <chrono>
#include <cmath>
#include <iostream>
#include <numeric>

#include "framework/backend/backend.h"
#include "framework/core/errors.h"
#include "framework/core/philox.h"
#include "framework/core/random.h"
#include "framework/keras/compiled_model.h"
#include "framework/keras/data_adapter.h"
#include "framework/keras/progress_bar.h"
#include "framework/keras/sequential.h"
#include "framework/ops/ops.h"

namespace nabla {
namespace {

using Clock = std::chrono::steady_clock;

// One epoch's sample order: 0..n-1, or a Fisher-Yates shuffle drawn from (seed, epoch).
std::vector<int64_t> epoch_order(int64_t n, bool shuffle, uint64_t seed, int epoch) {
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  if (!shuffle) return order;
  const uint64_t key = philox::mix_seed(seed, static_cast<uint64_t>(epoch));
  for (int64_t i = n - 1; i > 0; --i) {
    const uint64_t r = static_cast<uint64_t>(philox::uniform(key, 0, static_cast<uint64_t>(i)) *
                                             static_cast<double>(i + 1));
    std::swap(order[i], order[std::min<uint64_t>(r, static_cast<uint64_t>(i))]);
  }
  return order;
}

// Runs batches of a dataset through plans of one fetch list and accumulates the loss and the
// metrics' statistics.
class BatchRunner {
 public:
  BatchRunner(Session& session, const CompiledModel& cm, const TensorList& fetches,
              const DataSet& data, int64_t batch_size, bool with_labels,
              std::vector<MetricPtr> metrics)
      : cm_(cm),
        data_(data),
        batch_(batch_size),
        labels_(with_labels),
        metrics_(std::move(metrics)) {
    const int64_t n = data.size();
    full_ = n >= batch_size ? &plan_for(session, fetches, batch_size) : nullptr;
    tail_ = n % batch_size ? &plan_for(session, fetches, n % batch_size) : nullptr;
    const Plan& any = full_ ? *full_ : *tail_;
    stats_.resize(any.num_fetches());
    for (int i = 0; i < any.num_fetches(); ++i)
      if (any.fetch_view(i).data) stats_[i].resize(static_cast<size_t>(any.fetch_view(i).numel()));
    pointers_.reserve(stats_.size());
  }

  int64_t steps() const { return (data_.size() + batch_ - 1) / batch_; }

  void reset() {
    loss_sum_ = 0;
    samples_ = 0;
    for (const MetricPtr& m : metrics_) m->reset();
  }

  // Runs batch `b` of the sample order `indices` (int64 on the data's device).
  void run_batch(int64_t b, const Tensor& indices) {
    const int64_t begin = b * batch_, count = std::min(batch_, data_.size() - begin);
    Plan& plan = count == batch_ ? *full_ : *tail_;
    gather_rows(data_.x, indices, begin, count, plan.feed_view(0));
    if (labels_) {
      gather_rows(data_.y, indices, begin, count, plan.feed_view(1));
      gather_rows(data_.weights, indices, begin, count, plan.feed_view(2));
    }
    plan.run();
    if (!labels_) return;
    const Device device = plan.device();
    for (int i = 0; i < plan.num_fetches(); ++i) {
      const TensorView& v = plan.fetch_view(i);
      if (v.data)
        copy_bytes(stats_[i].data(), Device::CPU, v.data, device, stats_[i].size() * sizeof(float));
    }
    last_loss_ = stats_[0][0];
    loss_sum_ += static_cast<double>(last_loss_) * static_cast<double>(count);
    samples_ += count;
    size_t next = 1;
    for (size_t m = 0; m < metrics_.size(); ++m) {
      pointers_.clear();
      for (int k = 0; k < cm_.stats_per_metric[m]; ++k) pointers_.push_back(stats_[next++].data());
      metrics_[m]->accumulate(pointers_);
    }
  }

  /// Predict: the output of the last batch.
  const TensorView& output(int64_t b) const {
    const int64_t count = std::min(batch_, data_.size() - b * batch_);
    return (count == batch_ ? *full_ : *tail_).fetch_view(0);
  }

  double loss() const { return samples_ ? loss_sum_ / static_cast<double>(samples_) : 0.0; }
  float last_loss() const { return last_loss_; }

  /// Current values in display order: loss, then each metric.
  void values(std::vector<std::pair<std::string, double>>& out,
              const std::string& prefix = "") const {
    out.emplace_back(prefix + "loss", loss());
    for (const MetricPtr& m : metrics_) out.emplace_back(prefix + m->name(), m->result());
  }

 private:
  Plan& plan_for(Session& session, const TensorList& fetches, int64_t rows) {
    auto with_rows = [rows](Shape s) {
      s[0] = rows;
      return s;
    };
    std::vector<std::pair<Tensor, Shape>> feeds{{cm_.x, with_rows(cm_.x.shape())}};
    if (labels_) {
      feeds.emplace_back(cm_.y, with_rows(cm_.label_shape));
      feeds.emplace_back(cm_.sample_weight, Shape{rows});
    }
    return session.plan(fetches, feeds);
  }

  const CompiledModel& cm_;
  const DataSet& data_;
  int64_t batch_;
  bool labels_;
  std::vector<MetricPtr> metrics_;
  Plan* full_ = nullptr;
  Plan* tail_ = nullptr;
  std::vector<std::vector<float>> stats_;
  std::vector<const float*> pointers_;
  double loss_sum_ = 0;
  int64_t samples_ = 0;
  float last_loss_ = 0;
};

Tensor order_on(const std::vector<int64_t>& order, Device device) {
  return Tensor::from_vector(order, Shape{static_cast<int64_t>(order.size())}).to(device);
}

void check_batch_size(int batch_size, const char* what) {
  if (batch_size <= 0)
    throw ValueError(std::string(what) + ": batch_size must be positive, got " +
                     std::to_string(batch_size));
}

}  // namespace

History Sequential::fit(const Tensor& x, const Tensor& y, const FitOptions& o) {
  check_batch_size(o.batch_size(), "fit");
  if (o.epochs() < 0)
    throw ValueError("fit: epochs must be >= 0, got " + std::to_string(o.epochs()));
  if (!(o.validation_split() >= 0.0 && o.validation_split() < 1.0))
    throw ValueError("fit: validation_split must be in [0, 1), got " +
                     std::to_string(o.validation_split()));
  if (o.initial_epoch() < 0 || o.initial_epoch() > o.epochs())
    throw ValueError("fit: initial_epoch " + std::to_string(o.initial_epoch()) +
                     " is outside [0, epochs]");
  if (x.defined() && x.is_eager() && x.rank() >= 1 && x.shape()[0] == 0)
    throw ValueError("fit: the dataset is empty (x has shape " + x.shape().to_string() + ")");
  CompiledModel& cm = ensure_graph(x.defined() ? x.shape() : Shape());
  DataSet all = make_dataset(*this, cm, x, y, o.sample_weight(), o.class_weight(), "fit");

  DataSet train = all, val;
  if (o.validation_data()) {
    val = make_dataset(*this, cm, o.validation_data()->first, o.validation_data()->second, Tensor(),
                       {}, "validation_data");
  } else if (o.validation_split() > 0) {
    const int64_t split =
        static_cast<int64_t>(static_cast<double>(all.size()) * (1.0 - o.validation_split()));
    if (split <= 0 || split >= all.size())
      throw ValueError("fit: validation_split " + std::to_string(o.validation_split()) + " of " +
                       std::to_string(all.size()) +
                       " samples leaves no training or no validation samples");
    train = all.rows(0, split);
    val = all.rows(split, all.size());
  }
  train = train.to(device_);
  if (val.x.defined()) val = val.to(device_);

  History history;
  std::vector<CallbackPtr> callbacks = o.callbacks();
  auto history_ptr = std::shared_ptr<History>(&history, [](History*) {});
  callbacks.insert(callbacks.begin(), history_ptr);
  for (const CallbackPtr& c : callbacks) c->set_model(this);
  stop_training = false;
  const uint64_t seed = o.seed() ? *o.seed() : next_seed();
  std::ostream& out = std::cout;

  BatchRunner runner(*cm.session, cm, cm.train_fetches, train, o.batch_size(), true, metrics_);
  std::unique_ptr<BatchRunner> val_runner;
  if (val.x.defined())
    val_runner = std::make_unique<BatchRunner>(*cm.session, cm, cm.eval_fetches, val,
                                               o.batch_size(), true, metrics_);

  Logs batch_logs{{"loss", 0.0}};  // keys made once: updating values does not allocate
  for (const MetricPtr& m : metrics_) batch_logs[m->name()] = 0.0;
  std::vector<std::pair<std::string, double>> shown;
  shown.reserve(2 * (metrics_.size() + 1));

  for (const CallbackPtr& c : callbacks) c->on_train_begin({});
  for (int epoch = o.initial_epoch(); epoch < o.epochs() && !stop_training; ++epoch) {
    for (const CallbackPtr& c : callbacks) c->on_epoch_begin(epoch, {});
    if (o.verbose()) out << "Epoch " << epoch + 1 << "/" << o.epochs() << "\n";
    ProgressBar bar(runner.steps(), o.verbose(), out);
    const Tensor order = order_on(epoch_order(train.size(), o.shuffle(), seed, epoch), device_);
    runner.reset();
    const auto start = Clock::now();
    for (int64_t b = 0; b < runner.steps() && !stop_training; ++b) {
      for (const CallbackPtr& c : callbacks)
        c->on_train_batch_begin(static_cast<int>(b), batch_logs);
      optimizer_->prepare_step();
      runner.run_batch(b, order);
      batch_logs["loss"] = runner.loss();
      for (const MetricPtr& m : metrics_) batch_logs[m->name()] = m->result();
      for (const CallbackPtr& c : callbacks) c->on_train_batch_end(static_cast<int>(b), batch_logs);
      if (o.verbose() == 1 && ProgressBar::is_terminal(out)) {
        shown.clear();
        runner.values(shown);
        bar.update(b + 1, shown);
      }
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    shown.clear();
    runner.values(shown);
    Logs logs(shown.begin(), shown.end());
    if (val_runner) {
      val_runner->reset();
      const Tensor val_order = order_on(epoch_order(val.size(), false, 0, 0), device_);
      for (int64_t b = 0; b < val_runner->steps(); ++b) val_runner->run_batch(b, val_order);
      std::vector<std::pair<std::string, double>> val_values;
      val_runner->values(val_values, "val_");
      for (const auto& kv : val_values) logs.insert(kv), shown.push_back(kv);
    }
    bar.finish(shown);
    logs["lr"] = optimizer_->learning_rate();
    for (const CallbackPtr& c : callbacks) c->on_epoch_end(epoch, logs);
    history.history["epoch_seconds"].push_back(seconds);
  }
  for (const CallbackPtr& c : callbacks) c->on_train_end({});
  return history;
}

Logs Sequential::evaluate(const Tensor& x, const Tensor& y, const EvaluateOptions& o) {
  check_batch_size(o.batch_size(), "evaluate");
  CompiledModel& cm = ensure_graph(x.defined() ? x.shape() : Shape());
  const DataSet data = make_dataset(*this, cm, x, y, o.sample_weight(), {}, "evaluate").to(device_);
  for (const CallbackPtr& c : o.callbacks()) c->set_model(this), c->on_test_begin({});
  BatchRunner runner(*cm.session, cm, cm.eval_fetches, data, o.batch_size(), true, metrics_);
  ProgressBar bar(runner.steps(), o.verbose(), std::cout);
  const Tensor order = order_on(epoch_order(data.size(), false, 0, 0), device_);
  runner.reset();
  for (int64_t b = 0; b < runner.steps(); ++b) runner.run_batch(b, order);
  std::vector<std::pair<std::string, double>> values;
  runner.values(values);
  bar.finish(values);
  Logs logs(values.begin(), values.end());
  for (const CallbackPtr& c : o.callbacks()) c->on_test_end(logs);
  return logs;
}

Tensor Sequential::predict(const Tensor& x, const PredictOptions& o) {
  check_batch_size(o.batch_size(), "predict");
  if (!compiled()) {
    // Keras predicts with uncompiled models too: run the layers eagerly in batches.
    const DataSet data = make_inputs(*this, x, "predict");
    TensorList parts;
    for (int64_t b = 0; b < data.size(); b += o.batch_size())
      parts.push_back(
          (*this)(data.rows(b, std::min<int64_t>(data.size(), b + o.batch_size())).x.to(device_)));
    return concat(parts, 0).to(Device::CPU);
  }
  CompiledModel& cm = ensure_graph(x.defined() ? x.shape() : Shape());
  const DataSet data = make_inputs(*this, x, "predict").to(device_);
  BatchRunner runner(*cm.session, cm, {cm.predict_fetch}, data, o.batch_size(), false, {});
  Shape out_shape = output_shape();
  out_shape[0] = data.size();
  Tensor out = Tensor::empty(out_shape, DType::Float32);
  const size_t row_bytes = static_cast<size_t>(out.numel() / data.size()) * sizeof(float);
  const Tensor order = order_on(epoch_order(data.size(), false, 0, 0), device_);
  ProgressBar bar(runner.steps(), o.verbose(), std::cout);
  for (int64_t b = 0; b < runner.steps(); ++b) {
    runner.run_batch(b, order);
    const TensorView& v = runner.output(b);
    copy_bytes(static_cast<char*>(out.raw_data()) + b * o.batch_size() * row_bytes, Device::CPU,
               v.data, device_, static_cast<size_t>(v.shape[0]) * row_bytes);
  }
  bar.finish({});
  return out;
}

Logs Sequential::train_on_batch(const Tensor& x, const Tensor& y, const Tensor& sample_weight) {
  CompiledModel& cm = ensure_graph(x.defined() ? x.shape() : Shape());
  const DataSet data =
      make_dataset(*this, cm, x, y, sample_weight, {}, "train_on_batch").to(device_);
  BatchRunner runner(*cm.session, cm, cm.train_fetches, data, data.size(), true, metrics_);
  runner.reset();
  optimizer_->prepare_step();
  runner.run_batch(0, order_on(epoch_order(data.size(), false, 0, 0), device_));
  std::vector<std::pair<std::string, double>> values;
  runner.values(values);
  return Logs(values.begin(), values.end());
}

Logs Sequential::test_on_batch(const Tensor& x, const Tensor& y, const Tensor& sample_weight) {
  return evaluate(x, y,
                  EvaluateOptions()
                      .batch_size(static_cast<int>(x.shape()[0]))
                      .verbose(0)
                      .sample_weight(sample_weight));
}

}  // namespace nabla
