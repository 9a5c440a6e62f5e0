// Sequential: a Keras model made of a stack of layers.
#pragma once

#include <initializer_list>
#include <string>
#include <vector>

#include "framework/keras/model.h"

namespace nabla {

/// A linear stack of layers, as keras.Sequential: a Model whose structure is a list.
///
///     Sequential model({Input({784}), Dense(256, "relu"), Dropout(0.2), Dense(10)});
///     model.compile(Adam(1e-3), SparseCategoricalCrossentropy(true), {"accuracy"});
///     History h = model.fit(x, y, FitOptions().epochs(5).batch_size(128).validation_split(0.1));
///
/// Calling the model on an eager tensor runs the layers eagerly, so the same model trains in a
/// GradientTape loop:
///
///     GradientTape tape;
///     Tensor loss = loss_fn(y_batch, model(x_batch, /*training=*/true));
///     optimizer.apply_gradients(tape.gradient(loss, model.trainable_weights()),
///                               model.trainable_weights());
class Sequential : public Model {
 public:
  /// A model of `layers` (the first may be an Input or carry an input shape). `name` "" gives
  /// Keras's default ("sequential", "sequential_1", ...).
  explicit Sequential(std::vector<LayerRef> layers = {}, std::string name = "");
  Sequential(std::initializer_list<LayerRef> layers, std::string name = "");
  /// The Sequential model `model` is (a handle to the same model); TypeError when it is another
  /// kind, e.g. `Sequential m = load_model("sequential.h5");`.
  Sequential(const Model& model);  // NOLINT: implicit by design

  /// Appends a layer (before the model has run).
  void add(LayerRef layer);
  /// Removes the last layer.
  void pop();
};

}  // namespace nabla
