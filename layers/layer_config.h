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
  /// An integer or a one-element list of integers (Keras writes axis either way).
  int64_t axis(const char* key, int64_t fallback) const;
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
