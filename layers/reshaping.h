// Layers that move elements without changing them: Reshape, Permute, RepeatVector.
#pragma once

#include <vector>

#include "layers/layer.h"

namespace nabla {

/// Keras's Reshape: each sample to `target_shape` (without the batch axis); one dimension may be
/// -1, inferred from the others. A target that does not hold the sample's elements is a
/// ShapeError naming the layer and both shapes.
class Reshape : public LayerOf<Reshape> {
 public:
  explicit Reshape(Shape target_shape, std::string name = "");
  std::string class_name() const override { return "Reshape"; }
  void build(const Shape& input_shape) override;
  Tensor call(const Tensor& x, CallContext& ctx) override;
  Shape compute_output_shape(const Shape& input_shape) const override;
  nlohmann::json get_config() const override;
  static LayerPtr from_config(const nlohmann::json& config);
  const Shape& target_shape() const { return target_; }

 private:
  Shape target_;
};

/// Keras's Permute: the non-batch axes reordered; `dims` is a permutation of 1..rank-1 (the batch
/// axis 0 stays first), e.g. Permute({2, 1}) swaps the two axes of (batch, a, b).
class Permute : public LayerOf<Permute> {
 public:
  explicit Permute(std::vector<int64_t> dims, std::string name = "");
  std::string class_name() const override { return "Permute"; }
  void build(const Shape& input_shape) override;
  Tensor call(const Tensor& x, CallContext& ctx) override;
  Shape compute_output_shape(const Shape& input_shape) const override;
  nlohmann::json get_config() const override;
  static LayerPtr from_config(const nlohmann::json& config);

 private:
  void check_rank(const Shape& input_shape) const;
  std::vector<int64_t> dims_;
};

/// Keras's RepeatVector: (batch, features) -> (batch, n, features), the vector repeated n times.
class RepeatVector : public LayerOf<RepeatVector> {
 public:
  explicit RepeatVector(int64_t n, std::string name = "");
  std::string class_name() const override { return "RepeatVector"; }
  void build(const Shape& input_shape) override;
  Tensor call(const Tensor& x, CallContext& ctx) override;
  Shape compute_output_shape(const Shape& input_shape) const override;
  nlohmann::json get_config() const override;
  static LayerPtr from_config(const nlohmann::json& config);

 private:
  int64_t n_;
};

}  // namespace nabla
