// Arguments of the losses that take some, in libtorch's style: a struct whose setters return the
// struct, so that arguments chain, e.g.
//
//     BinaryCrossentropy bce(CrossentropyOptions().from_logits(true).label_smoothing(0.1));
//
// Each options struct also reads and writes its keys of the Keras config.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>

#include "framework/core/options.h"
#include "losses/loss.h"

namespace nabla {

/// Arguments of BinaryCrossentropy and CategoricalCrossentropy (Keras names and defaults).
struct CrossentropyOptions {
  /// Whether y_pred holds logits rather than probabilities.
  NABLA_ARG(bool, from_logits) = false;
  /// In [0, 1]: labels move towards the uniform distribution by this fraction.
  NABLA_ARG(double, label_smoothing) = 0.0;
  /// The class axis (categorical) or the axis averaged over (binary).
  NABLA_ARG(int, axis) = -1;

 public:
  /// Reads "from_logits", "label_smoothing" and "axis" (defaults where missing); ValueError for
  /// a smoothing outside [0, 1].
  static CrossentropyOptions from_config(const nlohmann::json& config);
  /// Writes the keys from_config() reads.
  void to_config(nlohmann::json& config) const;
};

/// Arguments of SparseCategoricalCrossentropy.
struct SparseCategoricalCrossentropyOptions {
  /// Whether y_pred holds logits rather than probabilities.
  NABLA_ARG(bool, from_logits) = false;

 public:
  /// Reads "from_logits"; UnimplementedError for an "ignore_class" or an "axis" other than -1.
  static SparseCategoricalCrossentropyOptions from_config(const nlohmann::json& config);
  /// Writes "from_logits" and "ignore_class" (null), as Keras does.
  void to_config(nlohmann::json& config) const;
};

/// Arguments of Huber.
struct HuberOptions {
  /// Where the loss turns from quadratic to linear.
  NABLA_ARG(double, delta) = 1.0;

 public:
  /// Reads "delta"; ValueError when it is negative.
  static HuberOptions from_config(const nlohmann::json& config);
  /// Writes "delta" (Keras 3 leaves it out, which loses it; nabla keeps it to round-trip).
  void to_config(nlohmann::json& config) const;
};

/// A loss with arguments: it keeps its options and adds them to its config.
template <class Options>
class LossWithOptions : public Loss {
 public:
  LossWithOptions(std::string name, Options options)
      : Loss(std::move(name)), options_(std::move(options)) {}
  const Options& options() const { return options_; }
  /// The base config plus the options' keys.
  nlohmann::json get_config() const override;

 protected:
  Options options_;
};

// Instantiated once, in options.cc.
extern template class LossWithOptions<CrossentropyOptions>;
extern template class LossWithOptions<SparseCategoricalCrossentropyOptions>;
extern template class LossWithOptions<HuberOptions>;

}  // namespace nabla
