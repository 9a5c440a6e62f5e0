// Model::fit, evaluate, predict: the loops that feed batches through compiled plans.
//
// Each loop leases its plans once (one for full batches, one for a last partial batch), then per
// batch gathers rows straight into the plan's feed buffers, runs the plan and reads the loss and
// metric statistics back through the step's named handles. Nothing in a step allocates.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <numeric>

#include "framework/backend/backend.h"
#include "framework/core/errors.h"
#include "framework/core/philox.h"
#include "framework/core/random.h"
#include "framework/keras/data_adapter.h"
#include "framework/keras/data_parallel.h"
#include "framework/keras/model.h"
#include "framework/keras/model_state.h"
#include "framework/keras/progress_bar.h"
#include "framework/keras/train_step.h"
#include "framework/ops/ops.h"
#include "framework/runtime/plan.h"

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

// What a loop runs: training steps, evaluation, or prediction.
enum class Pass { Train, Evaluate, Predict };

// Runs batches of a dataset through leased plans of one pass of the step and accumulates the
// loss and the metrics' statistics. With `dp` (data-parallel training or evaluation) each batch
// is a global batch: this rank computes its share of the rows, and the loss and statistics are
// summed over the ranks, so every rank sees the logs of the whole batch.
class BatchRunner {
 public:
  BatchRunner(TrainStep& step, Pass pass, const DataSet& data, int64_t batch_size,
              std::vector<MetricPtr> metrics, const detail::DataParallelStep* dp = nullptr)
      : step_(step),
        pass_(pass),
        data_(data),
        batch_(batch_size),
        metrics_(std::move(metrics)),
        dp_(pass == Pass::Predict ? nullptr : dp) {
    // The fetch list, with the index of each handle in it.
    if (pass == Pass::Predict) {
      for (const Tensor& out : step.infer_outputs) fetches_.push_back(out);
    } else {
      loss_index_ = 0;
      fetches_.push_back(pass == Pass::Train ? step.train_loss : step.eval_loss);
      for (const Tensor& l :
           pass == Pass::Train ? step.train_output_losses : step.eval_output_losses) {
        output_loss_index_.push_back(static_cast<int>(fetches_.size()));
        fetches_.push_back(l);
      }
      output_loss_sums_.assign(output_loss_index_.size(), 0.0);
      for (const TrainStep::MetricStats& m : step.metrics) {
        metric_names_.push_back(m.name);
        stat_index_.emplace_back();
        for (const Tensor& s : pass == Pass::Train ? m.train : m.eval) {
          stat_index_.back().push_back(static_cast<int>(fetches_.size()));
          fetches_.push_back(s);
        }
      }
      if (pass == Pass::Train && step.update.defined()) fetches_.push_back(step.update);
    }
    const int64_t n = data.size();
    if (n >= batch_size) full_ = lease(rows_here(batch_size));
    if (n % batch_size) tail_ = lease(rows_here(n % batch_size));
    if (pass == Pass::Predict) return;  // outputs are read from the plan (output())
    const Plan& any = full_.valid() ? *full_ : *tail_;
    host_.resize(any.num_fetches());
    for (int i = 0; i < any.num_fetches(); ++i)
      if (any.fetch_view(i).data) host_[i].resize(static_cast<size_t>(any.fetch_view(i).numel()));
    pointers_.reserve(host_.size());
    global_.resize(host_.size());
  }

  int64_t steps() const { return (data_.size() + batch_ - 1) / batch_; }

  void reset() {
    loss_sum_ = 0;
    std::fill(output_loss_sums_.begin(), output_loss_sums_.end(), 0.0);
    samples_ = 0;
    for (const MetricPtr& m : metrics_) m->reset();
  }

  // Runs batch `b` of the sample order `indices` (int64 on the data's device; undefined: the
  // data's own order).
  void run_batch(int64_t b, const Tensor& indices) {
    if (dp_) {
      run_shard(b, indices);
      return;
    }
    const int64_t begin = b * batch_, count = std::min(batch_, data_.size() - begin);
    Plan& plan = plan_for(b);
    feed_rows(plan, indices, begin, count);
    plan.run();
    if (pass_ == Pass::Predict) return;
    const Device device = plan.device();
    for (int i = 0; i < plan.num_fetches(); ++i) {
      const TensorView& v = plan.fetch_view(i);
      if (v.data)
        copy_bytes(host_[i].data(), Device::CPU, v.data, device, host_[i].size() * sizeof(float));
    }
    last_loss_ = host_[loss_index_][0];
    loss_sum_ += static_cast<double>(last_loss_) * static_cast<double>(count);
    for (size_t o = 0; o < output_loss_index_.size(); ++o)
      output_loss_sums_[o] +=
          static_cast<double>(host_[output_loss_index_[o]][0]) * static_cast<double>(count);
    samples_ += count;
    for (size_t m = 0; m < metrics_.size(); ++m) {
      pointers_.clear();
      for (int k : stat_index_[m]) pointers_.push_back(host_[k].data());
      metrics_[m]->accumulate(pointers_);
    }
  }

  /// Predict: output `o` of batch `b` (valid until the next run).
  const TensorView& output(int64_t b, int o) { return plan_for(b).fetch_view(o); }

  double loss() const { return samples_ ? loss_sum_ / static_cast<double>(samples_) : 0.0; }

  /// Sets logs[keys[i]] to the i-th of values() (keys made by the caller from values() once).
  void update(Logs& logs, const std::vector<std::string>& keys) const {
    size_t i = 0;
    logs[keys[i++]] = loss();
    for (size_t o = 0; o < output_loss_index_.size(); ++o)
      logs[keys[i++]] = samples_ ? output_loss_sums_[o] / static_cast<double>(samples_) : 0.0;
    for (const MetricPtr& m : metrics_) logs[keys[i++]] = m->result();
  }

  /// Current values in display order: loss, each output's loss, then each metric.
  void values(std::vector<std::pair<std::string, double>>& out,
              const std::string& prefix = "") const {
    out.emplace_back(prefix + "loss", loss());
    for (size_t o = 0; o < output_loss_index_.size(); ++o)
      out.emplace_back(prefix + step_.targets[o].name + "_loss",
                       samples_ ? output_loss_sums_[o] / static_cast<double>(samples_) : 0.0);
    for (size_t m = 0; m < metrics_.size(); ++m)
      out.emplace_back(prefix + metric_names_[m], metrics_[m]->result());
  }

 private:
  // Feeds rows [begin, begin + count) of the sample order to the plan; returns the index of the
  // next feed.
  int feed_rows(Plan& plan, const Tensor& indices, int64_t begin, int64_t count) {
    int feed = 0;
    for (const Tensor& x : data_.x) feed_one(plan, feed++, x, indices, begin, count);
    if (pass_ != Pass::Predict) {
      for (size_t o = 0; o < data_.y.size(); ++o) {
        feed_one(plan, feed++, data_.y[o], indices, begin, count);
        feed_one(plan, feed++, data_.weights[o], indices, begin, count);
      }
    }
    return feed;
  }

  // Rows in the data's own order (predict, evaluate, unshuffled fit) already lie as one block:
  // the plan reads them where they are when it can, else they are gathered into its feed.
  static void feed_one(Plan& plan, int feed, const Tensor& source, const Tensor& indices,
                       int64_t begin, int64_t count) {
    if (!indices.defined() &&
        plan.read_feed_from(feed, static_cast<const char*>(source.raw_data()) +
                                      begin * static_cast<int64_t>(row_bytes(source))))
      return;
    plan.read_feed_from(feed, nullptr);
    gather_rows(source, indices, begin, count, plan.feed_view(feed));
  }

  // The rows this process computes of a batch of `rows`.
  int64_t rows_here(int64_t rows) const { return dp_ ? dp_->rows_of(rows).count : rows; }

  // Data-parallel batch `b`: this rank's rows of it (none, possibly, in a last partial batch: a
  // training step still runs, for its collectives, with its share 0), then the sums over the
  // ranks of the loss and statistics, accumulated as one batch.
  void run_shard(int64_t b, const Tensor& indices) {
    const int64_t begin = b * batch_, count = std::min(batch_, data_.size() - begin);
    const distributed::Shard mine = dp_->rows_of(count);
    Plan& plan = plan_for(b);
    int feed = feed_rows(plan, indices, begin + mine.begin, mine.count);
    const bool train = pass_ == Pass::Train;
    if (train) {
      const int64_t offset = mine.begin;
      const float share = dp_->share_of(mine, count);
      copy_bytes(plan.feed_view(feed++).data, plan.device(), &offset, Device::CPU, sizeof offset);
      copy_bytes(plan.feed_view(feed++).data, plan.device(), &share, Device::CPU, sizeof share);
    }
    const bool has_rows = mine.count > 0;
    if (train || has_rows) plan.run();
    const Device device = plan.device();
    sums_.clear();
    if (has_rows)
      for (int i = 0; i < plan.num_fetches(); ++i) {
        const TensorView& v = plan.fetch_view(i);
        if (v.data)
          copy_bytes(host_[i].data(), Device::CPU, v.data, device, host_[i].size() * sizeof(float));
      }
    // A rank without rows adds zeros (its loss, a mean over no rows, is NaN).
    const double rows = static_cast<double>(mine.count);
    sums_.push_back(has_rows ? static_cast<double>(host_[loss_index_][0]) * rows : 0.0);
    sums_.push_back(rows);
    for (int k : output_loss_index_)
      sums_.push_back(has_rows ? static_cast<double>(host_[k][0]) * rows : 0.0);
    for (const std::vector<int>& stats : stat_index_)
      for (int k : stats)
        for (float value : host_[k]) sums_.push_back(has_rows ? value : 0.0);
    dp_->sum(sums_);
    size_t i = 0;
    loss_sum_ += sums_[i++];
    const double total = sums_[i++];
    last_loss_ = total > 0 ? static_cast<float>(sums_[0] / total) : 0.f;
    samples_ += static_cast<int64_t>(total);
    for (double& s : output_loss_sums_) s += sums_[i++];
    for (size_t m = 0; m < metrics_.size(); ++m) {
      pointers_.clear();
      for (int k : stat_index_[m]) {
        global_[k].resize(host_[k].size());
        for (float& value : global_[k]) value = static_cast<float>(sums_[i++]);
        pointers_.push_back(global_[k].data());
      }
      metrics_[m]->accumulate(pointers_);
    }
  }

  Session::PlanLease lease(int64_t rows) {
    auto with_rows = [rows](Shape s) {
      s[0] = rows;
      return s;
    };
    std::vector<std::pair<Tensor, Shape>> feeds;
    for (const Tensor& x : step_.inputs) feeds.emplace_back(x, with_rows(x.shape()));
    if (pass_ != Pass::Predict)
      for (const TrainStep::Target& t : step_.targets) {
        feeds.emplace_back(t.labels, with_rows(t.label_shape));
        feeds.emplace_back(t.sample_weight, Shape{rows});
      }
    if (dp_ && pass_ == Pass::Train) {
      feeds.emplace_back(dp_->row_offset(), Shape{});
      feeds.emplace_back(dp_->share(), Shape{});
    }
    return step_.session->acquire(fetches_, feeds);
  }

  Plan& plan_for(int64_t b) {
    const int64_t count = std::min(batch_, data_.size() - b * batch_);
    return count == batch_ ? *full_ : *tail_;
  }

  TrainStep& step_;
  Pass pass_;
  const DataSet& data_;
  int64_t batch_;
  std::vector<MetricPtr> metrics_;
  const detail::DataParallelStep* dp_;
  TensorList fetches_;
  int loss_index_ = 0;
  std::vector<int> output_loss_index_;  // per output (several outputs), its loss in fetches_
  std::vector<double> output_loss_sums_;
  std::vector<std::string> metric_names_;     // as in the logs
  std::vector<std::vector<int>> stat_index_;  // per metric, its statistics in fetches_
  Session::PlanLease full_, tail_;
  std::vector<std::vector<float>> host_;
  std::vector<std::vector<float>> global_;  // data-parallel: statistics summed over the ranks
  std::vector<double> sums_;                // data-parallel: what is summed over the ranks
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

std::vector<Shape> data_shapes(const TensorList& x) {
  std::vector<Shape> out;
  for (const Tensor& t : x)
    if (t.defined()) out.push_back(t.rank() >= 1 ? t.shape().erased(0).inserted(0, -1) : t.shape());
  return out;
}

// The tensors of `given` in the order of `names` (a model's inputs or outputs); ValueError
// naming a missing or an unknown name.
TensorList by_name(const NamedTensors& given, const std::vector<std::string>& names,
                   const std::string& what) {
  TensorList out;
  for (const std::string& n : names) {
    auto it = given.find(n);
    if (it == given.end())
      throw ValueError(what + " has no entry for '" + n + "'" + did_you_mean(n, [&] {
                         std::vector<std::string> keys;
                         for (const auto& [k, v] : given) keys.push_back(k);
                         return keys;
                       }()));
    out.push_back(it->second);
  }
  for (const auto& [k, v] : given)
    if (std::find(names.begin(), names.end(), k) == names.end())
      throw ValueError(what + " names '" + k + "', which the model does not have" +
                       did_you_mean(k, names));
  return out;
}

// The log keys of a runner's values, made once so that updating them allocates nothing.
std::vector<std::string> log_keys(const BatchRunner& runner) {
  std::vector<std::pair<std::string, double>> values;
  runner.values(values);
  std::vector<std::string> keys;
  for (const auto& [k, v] : values) keys.push_back(k);
  return keys;
}

}  // namespace

History Model::fit(const Tensor& x, const Tensor& y, const FitOptions& o) {
  return fit(TensorList{x}, TensorList{y}, o);
}

History Model::fit(const NamedTensors& x, const NamedTensors& y, const FitOptions& o) {
  return fit(by_name(x, input_names(), "fit: x"), by_name(y, output_names(), "fit: y"), o);
}

History Model::fit(const TensorList& x, const TensorList& y, const FitOptions& o) {
  check_batch_size(o.batch_size(), "fit");
  if (o.epochs() < 0)
    throw ValueError("fit: epochs must be >= 0, got " + std::to_string(o.epochs()));
  if (!(o.validation_split() >= 0.0 && o.validation_split() < 1.0))
    throw ValueError("fit: validation_split must be in [0, 1), got " +
                     std::to_string(o.validation_split()));
  if (o.initial_epoch() < 0 || o.initial_epoch() > o.epochs())
    throw ValueError("fit: initial_epoch " + std::to_string(o.initial_epoch()) +
                     " is outside [0, epochs]");
  for (const Tensor& t : x)
    if (t.defined() && t.is_eager() && t.rank() >= 1 && t.shape()[0] == 0)
      throw ValueError("fit: the dataset is empty (x has shape " + t.shape().to_string() + ")");
  detail::ModelState& s = state();
  if (o.strategy()) set_strategy(*o.strategy());  // before fit starts: it changes the model
  detail::FitGuard guard(s);
  if (s.strategy.is_distributed()) s.strategy.shard(o.batch_size(), "fit: batch_size");
  TrainStep& step = s.ensure_step(*this, data_shapes(x));
  const detail::DataParallelStep* dp = step.data_parallel.get();
  DataSet all = make_dataset(*this, step, x, y, o.sample_weight(), o.class_weight(), "fit");

  DataSet train = all, val;
  if (o.validation_data()) {
    val = make_dataset(*this, step, o.validation_data()->x, o.validation_data()->y, Tensor(), {},
                       "validation_data");
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
  train = train.to(s.device);
  if (!val.x.empty()) val = val.to(s.device);

  History history;
  std::vector<CallbackPtr> callbacks = detail::callbacks_for_rank(o.callbacks(), dp);
  auto history_ptr = std::shared_ptr<History>(&history, [](History*) {});
  callbacks.insert(callbacks.begin(), history_ptr);
  for (const CallbackPtr& c : callbacks) c->set_model(this);
  s.stop_training = false;
  uint64_t seed = o.seed() ? *o.seed() : next_seed();
  // Data-parallel: the same model, data and arguments everywhere, rank 0's state and seed.
  if (dp)
    seed = detail::begin_data_parallel_fit(
        *this, *dp,
        std::to_string(train.size()) + " " + std::to_string(val.x.empty() ? 0 : val.size()) + " " +
            std::to_string(o.batch_size()) + " " + std::to_string(o.epochs()) + " " +
            std::to_string(o.initial_epoch()) + " " + std::to_string(o.shuffle()),
        seed);
  const int verbose = !dp || dp->strategy().is_chief() ? o.verbose() : 0;  // rank 0 prints
  std::ostream& out = std::cout;

  BatchRunner runner(step, Pass::Train, train, o.batch_size(), s.metrics, dp);
  std::unique_ptr<BatchRunner> val_runner;
  if (!val.x.empty())
    val_runner =
        std::make_unique<BatchRunner>(step, Pass::Evaluate, val, o.batch_size(), s.metrics, dp);

  const std::vector<std::string> keys = log_keys(runner);
  Logs batch_logs;  // keys made once: updating values does not allocate
  for (const std::string& k : keys) batch_logs[k] = 0.0;
  std::vector<std::pair<std::string, double>> shown;
  shown.reserve(2 * keys.size());

  for (const CallbackPtr& c : callbacks) c->on_train_begin({});
  for (int epoch = o.initial_epoch(); epoch < o.epochs() && !s.stop_training; ++epoch) {
    for (const CallbackPtr& c : callbacks) c->on_epoch_begin(epoch, {});
    if (verbose) out << "Epoch " << epoch + 1 << "/" << o.epochs() << "\n";
    ProgressBar bar(runner.steps(), verbose, out);
    const Tensor order = order_on(epoch_order(train.size(), o.shuffle(), seed, epoch), s.device);
    runner.reset();
    const auto start = Clock::now();
    for (int64_t b = 0; b < runner.steps() && !s.stop_training; ++b) {
      for (const CallbackPtr& c : callbacks)
        c->on_train_batch_begin(static_cast<int>(b), batch_logs);
      s.optimizer->prepare_step();
      runner.run_batch(b, order);
      runner.update(batch_logs, keys);
      for (const CallbackPtr& c : callbacks) c->on_train_batch_end(static_cast<int>(b), batch_logs);
      if (verbose == 1 && ProgressBar::is_terminal(out)) {
        shown.clear();
        runner.values(shown);
        bar.update(b + 1, shown);
      }
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    if (dp) dp->average_replica_local();  // per-rank moving statistics, before they are read
    shown.clear();
    runner.values(shown);
    Logs logs(shown.begin(), shown.end());
    if (val_runner) {
      val_runner->reset();
      for (int64_t b = 0; b < val_runner->steps(); ++b) val_runner->run_batch(b, Tensor());
      std::vector<std::pair<std::string, double>> val_values;
      val_runner->values(val_values, "val_");
      for (const auto& kv : val_values) logs.insert(kv), shown.push_back(kv);
    }
    bar.finish(shown);
    logs["lr"] = s.optimizer->learning_rate();
    for (const CallbackPtr& c : callbacks) c->on_epoch_end(epoch, logs);
    history.history["epoch_seconds"].push_back(seconds);
    // The built-in callbacks decide alike on every rank (they see the same logs); this keeps a
    // callback of the user's that stopped one rank from leaving the others waiting.
    if (dp) s.stop_training = dp->strategy().any_rank(s.stop_training);
  }
  for (const CallbackPtr& c : callbacks) c->on_train_end({});
  return history;
}

Logs Model::evaluate(const Tensor& x, const Tensor& y, const EvaluateOptions& o) {
  return evaluate(TensorList{x}, TensorList{y}, o);
}

Logs Model::evaluate(const NamedTensors& x, const NamedTensors& y, const EvaluateOptions& o) {
  return evaluate(by_name(x, input_names(), "evaluate: x"),
                  by_name(y, output_names(), "evaluate: y"), o);
}

Logs Model::evaluate(const TensorList& x, const TensorList& y, const EvaluateOptions& o) {
  check_batch_size(o.batch_size(), "evaluate");
  detail::ModelState& s = state();
  detail::UseGuard use(s, "evaluate");
  TrainStep& step = s.ensure_step(*this, data_shapes(x));
  const DataSet data =
      make_dataset(*this, step, x, y, o.sample_weight(), {}, "evaluate").to(s.device);
  std::lock_guard<std::mutex> turn(s.evaluate_mutex);  // the metrics hold one call's sums
  const detail::DataParallelStep* dp = step.data_parallel.get();  // sharded when distributed
  const std::vector<CallbackPtr> callbacks = detail::callbacks_for_rank(o.callbacks(), dp);
  for (const CallbackPtr& c : callbacks) c->set_model(this), c->on_test_begin({});
  BatchRunner runner(step, Pass::Evaluate, data, o.batch_size(), s.metrics, dp);
  ProgressBar bar(runner.steps(), !dp || dp->strategy().is_chief() ? o.verbose() : 0, std::cout);
  runner.reset();
  for (int64_t b = 0; b < runner.steps(); ++b) runner.run_batch(b, Tensor());  // in order
  std::vector<std::pair<std::string, double>> values;
  runner.values(values);
  bar.finish(values);
  Logs logs(values.begin(), values.end());
  for (const CallbackPtr& c : callbacks) c->on_test_end(logs);
  return logs;
}

Tensor Model::predict(const Tensor& x, const PredictOptions& o) {
  TensorList out = predict(TensorList{x}, o);
  if (out.size() != 1)
    throw ValueError("predict: model '" + name() + "' has " + std::to_string(out.size()) +
                     " outputs; call predict with a list of inputs to get them all");
  return out[0];
}

TensorList Model::predict(const NamedTensors& x, const PredictOptions& o) {
  return predict(by_name(x, input_names(), "predict: x"), o);
}

TensorList Model::predict(const TensorList& x, const PredictOptions& o) {
  check_batch_size(o.batch_size(), "predict");
  detail::ModelState& s = state();
  detail::UseGuard use(s, "predict");
  // Keras predicts with uncompiled models too: they get an inference-only step.
  TrainStep& step = s.ensure_predict_step(*this, data_shapes(x));
  const DataSet data = make_inputs(*this, x, "predict").to(s.device);
  BatchRunner runner(step, Pass::Predict, data, o.batch_size(), {});
  TensorList out(step.infer_outputs.size());
  ProgressBar bar(runner.steps(), o.verbose(), std::cout);
  for (int64_t b = 0; b < runner.steps(); ++b) {
    runner.run_batch(b, Tensor());  // in order
    for (size_t k = 0; k < out.size(); ++k) {
      const TensorView& v = runner.output(b, static_cast<int>(k));
      const size_t row_bytes = static_cast<size_t>(v.numel() / v.shape[0]) * sizeof(float);
      if (b == 0) {  // the outputs' shapes, all rows of x
        Shape shape = v.shape;
        shape[0] = data.size();
        out[k] = Tensor::empty(shape, DType::Float32);
      }
      copy_bytes(static_cast<char*>(out[k].raw_data()) + b * o.batch_size() * row_bytes,
                 Device::CPU, v.data, s.device, static_cast<size_t>(v.shape[0]) * row_bytes);
    }
  }
  bar.finish({});
  return out;
}

Logs Model::train_on_batch(const Tensor& x, const Tensor& y, const Tensor& sample_weight) {
  detail::ModelState& s = state();
  detail::FitGuard guard(s);
  TrainStep& step = s.ensure_step(*this, data_shapes(TensorList{x}));
  const DataSet data =
      make_dataset(*this, step, {x}, {y}, sample_weight, {}, "train_on_batch").to(s.device);
  BatchRunner runner(step, Pass::Train, data, data.size(), s.metrics, step.data_parallel.get());
  runner.reset();
  s.optimizer->prepare_step();
  runner.run_batch(0, Tensor());  // in order
  std::vector<std::pair<std::string, double>> values;
  runner.values(values);
  return Logs(values.begin(), values.end());
}

Logs Model::test_on_batch(const Tensor& x, const Tensor& y, const Tensor& sample_weight) {
  return evaluate(x, y,
                  EvaluateOptions()
                      .batch_size(static_cast<int>(x.shape()[0]))
                      .verbose(0)
                      .sample_weight(sample_weight));
}

}  // namespace nabla
