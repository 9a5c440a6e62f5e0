// GradientTape: reverse-mode autodiff of eager computations.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "framework/autodiff/gradients.h"
#include "framework/core/attrs.h"
#include "framework/core/tensor.h"
#include "framework/graph/variable.h"

namespace nabla {

struct OpDef;

/// Records the eager ops run while it is alive, so that `gradient(target, sources)` can
/// backpropagate through them, as tf.GradientTape does. It applies the same gradient rules as
/// graph mode.
///
///     Variable w(Tensor::random_normal({3, 1}, 0, 1, 42), "w");
///     GradientTape tape;
///     Tensor loss = reduce_mean(square(matmul(x, w) - y));
///     Tensor dw = tape.gradient(loss, w);
///
/// Recording starts at construction and stops at the first gradient() call of a non-persistent
/// tape, at stop_recording(), or at destruction. Only ops depending on a watched value are
/// recorded: tensors passed to watch(), and trainable variables read while recording (unless
/// `watch_accessed_variables` is false).
class GradientTape {
 public:
  /// `persistent` allows several gradient() calls.
  explicit GradientTape(bool persistent = false, bool watch_accessed_variables = true);
  ~GradientTape();
  GradientTape(const GradientTape&) = delete;
  GradientTape& operator=(const GradientTape&) = delete;

  /// Marks an eager tensor (or variable) as a source to differentiate with respect to.
  void watch(const Tensor& tensor);
  void watch(const Variable& variable);
  /// Stops recording (further ops are not taped).
  void stop_recording();

  /// d(target)/d(source). A non-scalar target is summed.
  Tensor gradient(const Tensor& target, const Tensor& source,
                  UnconnectedGradients unconnected = UnconnectedGradients::None);
  TensorList gradient(const Tensor& target, const TensorList& sources,
                      UnconnectedGradients unconnected = UnconnectedGradients::None);
  TensorList gradient(const Tensor& target, const VariableList& sources,
                      UnconnectedGradients unconnected = UnconnectedGradients::None);

  /// Variables read by recorded ops, in first-use order.
  VariableList watched_variables() const;

  /// Records an eager op on every active tape of this thread that watches one of its inputs
  /// (apply_op calls it after running the op).
  static void record(const OpDef& def, const Attrs& attrs, const TensorList& inputs,
                     const Tensor& output);
  /// True when an active tape of this thread has recorded or watches `tensor`.
  static bool any_tracks(const Tensor& tensor);

 private:
  struct Entry {
    const OpDef* def;
    Attrs attrs;
    TensorList inputs;
    Tensor output;
  };
  bool tracks(const Tensor& t) const { return t.defined() && tracked_.count(t.id()) > 0; }
  void maybe_record(const OpDef& def, const Attrs& attrs, const TensorList& inputs,
                    const Tensor& output);

  bool persistent_;
  bool watch_variables_;
  bool recording_ = true;
  bool used_ = false;
  std::set<uint64_t> tracked_;
  std::vector<Entry> entries_;
  VariableList variables_;
};

}  // namespace nabla
