// Ways to name an optimizer, a loss or a metric in compile(): a Keras name, an object, a pointer.
#pragma once

#include <memory>
#include <string>
#include <type_traits>

#include "framework/keras/metrics.h"
#include "losses/loss.h"
#include "optimizers/optimizer.h"

namespace nabla {

/// An optimizer given as a name ("adam"), a value (Adam(1e-3)) or a shared pointer.
class OptimizerRef {
 public:
  OptimizerRef(const char* name) : ptr_(get_optimizer(name)) {}         // NOLINT
  OptimizerRef(const std::string& name) : ptr_(get_optimizer(name)) {}  // NOLINT
  template <class O, class = std::enable_if_t<std::is_base_of_v<Optimizer, std::decay_t<O>>>>
  OptimizerRef(O&& o) : ptr_(std::make_shared<std::decay_t<O>>(std::forward<O>(o))) {}  // NOLINT
  template <class O, class = std::enable_if_t<std::is_base_of_v<Optimizer, O>>>
  OptimizerRef(std::shared_ptr<O> o) : ptr_(std::move(o)) {}  // NOLINT
  const OptimizerPtr& get() const { return ptr_; }

 private:
  OptimizerPtr ptr_;
};

/// A loss given as a name ("sparse_categorical_crossentropy"), a value or a shared pointer.
class LossRef {
 public:
  LossRef(const char* name) : ptr_(get_loss(name)) {}         // NOLINT
  LossRef(const std::string& name) : ptr_(get_loss(name)) {}  // NOLINT
  template <class L, class = std::enable_if_t<std::is_base_of_v<Loss, std::decay_t<L>>>>
  LossRef(L&& l) : ptr_(std::make_shared<std::decay_t<L>>(std::forward<L>(l))) {}  // NOLINT
  template <class L, class = std::enable_if_t<std::is_base_of_v<Loss, L>>>
  LossRef(std::shared_ptr<L> l) : ptr_(std::move(l)) {}  // NOLINT
  const LossPtr& get() const { return ptr_; }

 private:
  LossPtr ptr_;
};

/// A metric given as a name ("accuracy"; resolved at compile against the loss) or an object.
class MetricRef {
 public:
  MetricRef(const char* name) : name_(name) {}             // NOLINT
  MetricRef(std::string name) : name_(std::move(name)) {}  // NOLINT
  template <class M, class = std::enable_if_t<std::is_base_of_v<Metric, std::decay_t<M>>>>
  MetricRef(M&& m) : ptr_(std::make_shared<std::decay_t<M>>(std::forward<M>(m))) {}  // NOLINT
  template <class M, class = std::enable_if_t<std::is_base_of_v<Metric, M>>>
  MetricRef(std::shared_ptr<M> m) : ptr_(std::move(m)) {}  // NOLINT
  /// True when it holds a metric object (not a name).
  bool is_object() const { return ptr_ != nullptr; }
  /// The metric, resolving a name against the loss and the model's output size.
  MetricPtr resolve(const Loss* loss, int64_t output_dim) const {
    return ptr_ ? ptr_ : get_metric(name_, loss, output_dim);
  }
  /// Throws NotFoundError (with the nearest name) for an unknown metric name.
  void validate() const {
    if (!ptr_ && name_ != "accuracy" && name_ != "acc") get_metric(name_);
  }

 private:
  std::string name_;
  MetricPtr ptr_;
};

}  // namespace nabla
