// Reading Keras layer configs with errors that name the layer class and the key.
#pragma once

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "layers/layer.h"
#include "layers/regularizers.h"

namespace nabla {

/// Reads one layer's Keras config. Keys every layer has (name, trainable, dtype, the input shape
/// keys of Keras 2 and 3) are handled by apply_common(); a key that is neither one of those nor in
/// `keys` is a ValueError naming it (with the nearest valid key), so typos in configs surface.
class LayerConfigReader {
 public:
  LayerConfigReader(const nlohmann::json& config, std::string layer_class,
                    std::initializer_list<const char*> keys = {});

  /// A required integer; ValueError naming the class and key when missing or not an integer.
  int64_t integer(const char* key) const;
  int64_t integer(const char* key, int64_t fallback) const;
  double number(const char* key, double fallback) const;
  bool boolean(const char* key, bool fallback) const;
  /// A number Keras keeps as a float32: tf-keras writes it widened to a double
  /// (0.699999988079071 for 0.7), which is read back as the shortest decimal of that float32.
  double keras_float(const char* key, double fallback) const;
  /// An integer or a one-element list of integers (Keras writes axis either way).
  int64_t axis(const char* key, int64_t fallback) const;
  /// An integer or a list of integers (several axes); `fallback` when absent or null.
  std::vector<int64_t> axes(const char* key, std::vector<int64_t> fallback) const;
  /// A seed: an integer, or 0 (draw one) when absent or null.
  uint64_t seed(const char* key = "seed") const;
  /// A copy of the value as it is (fallback when absent or null). A copy, not a reference: the
  /// fallback is usually a temporary, and a reference to it would outlive it.
  nlohmann::json raw(const char* key, const nlohmann::json& fallback) const;
  /// The layer name, or "" for Keras's default.
  std::string name() const;
  /// Sets trainable and the input shape (batch_input_shape, batch_shape or input_shape).
  void apply_common(Layer& layer) const;

 private:
  [[noreturn]] void bad(const char* key, const std::string& expected) const;
  const nlohmann::json& config_;
  std::string class_;
};

/// The seed a random layer of `layer_class` keeps: `seed`, or when 0 the next seed of the global
/// sequence (set_seed) halved, as Keras keeps seeds as int64 and the seed is written into the
/// config. ValueError for a seed of 2^63 or more.
uint64_t layer_seed(uint64_t seed, const std::string& layer_class);
/// A config number as Keras writes a float32 widened to a double, narrowed back: 0.7 for
/// 0.699999988079071; other numbers unchanged.
double narrowed_float(double value);
/// A regularizer's config, or null.
nlohmann::json regularizer_config(const RegularizerPtr& r);
/// The run-time size of axis 0 of x, as a scalar of x's dtype.
Tensor batch_size_of(const Tensor& x);
/// A Keras shape list ([null, 784]) as a Shape with -1 for null; ValueError naming `what`.
Shape shape_from_json(const nlohmann::json& j, const std::string& what);
/// A Shape as a Keras shape list, -1 written as null.
nlohmann::json shape_to_json(const Shape& s);
/// A serialized Keras object as tf-keras 2.13+ and Keras 3 write it:
/// {"module": "keras.layers", "class_name": ..., "config": ..., "registered_name": null}.
/// Keras 3's model_from_json finds built-in classes only through "module"; the legacy .h5
/// loaders of both versions read the same dict.
nlohmann::json keras_object(const char* module, const std::string& class_name,
                            nlohmann::json config);

}  // namespace nabla
