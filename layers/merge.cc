#include "layers/merge.h"

#include <nlohmann/json.hpp>

#include "framework/core/errors.h"
#include "framework/ops/ops.h"
#include "layers/layer_config.h"

namespace nabla {
namespace {

std::string shape_list(const std::vector<Shape>& shapes) {
  std::string s;
  for (const Shape& shape : shapes) s += (s.empty() ? "" : ", ") + shape.to_string();
  return s;
}

// Reads a merge layer's config, which has only the keys every layer has.
template <class L>
LayerPtr merge_from_config(const nlohmann::json& c, const char* cls) {
  LayerConfigReader r(c, cls);
  auto layer = std::make_shared<L>(r.name());
  r.apply_common(*layer);
  return layer;
}

}  // namespace

void Merge::mismatch(const std::vector<Shape>& shapes, const std::string& why) const {
  throw ShapeError(what() + " cannot merge inputs of shapes " + shape_list(shapes) + ": " + why);
}

void Merge::check_count(size_t count) const {
  if (count == 0) throw ValueError(what() + " needs at least one input");
}

std::vector<Shape> Merge::compute_output_shapes(const std::vector<Shape>& shapes) const {
  check_count(shapes.size());
  int64_t batch = -1;
  size_t rank = 0;
  for (const Shape& s : shapes) {
    if (s.rank() == 0) mismatch(shapes, "every input needs a batch axis");
    if (s[0] >= 0 && batch >= 0 && s[0] != batch) mismatch(shapes, "the batch sizes differ");
    if (s[0] >= 0) batch = s[0];
    rank = std::max(rank, static_cast<size_t>(s.rank()));
  }
  // Axes after the batch, aligned from the last: equal, or 1 against anything.
  std::vector<int64_t> out(rank - 1, 1);
  for (const Shape& s : shapes)
    for (int i = 1; i < s.rank(); ++i) {
      int64_t& o = out[out.size() - static_cast<size_t>(s.rank() - i)];
      const int64_t d = s[i];
      if (d == 1) continue;
      if (o == 1 || d < 0 || o < 0) {
        o = (o != 1 && (d < 0 || o < 0)) ? -1 : d;
      } else if (o != d) {
        mismatch(shapes, "every axis but the batch must be equal or 1");
      }
    }
  Shape result{batch};
  for (int64_t d : out) result.push_back(d);
  return {result};
}

Tensor Merge::operator()(const TensorList& inputs, bool training) {
  return Layer::operator()(inputs, training).at(0);
}

Tensor Merge::operator()(const TensorList& inputs, CallContext& ctx) {
  return Layer::operator()(inputs, ctx).at(0);
}

nlohmann::json Merge::get_config() const {
  return base_config();
}

void Merge::build_inputs(const std::vector<Shape>& input_shapes) {
  compute_output_shapes(input_shapes);
}

Tensor Merge::call(const Tensor& x, CallContext& ctx) {
  return call_inputs({x}, ctx)[0];
}

TensorList Merge::call_inputs(const TensorList& inputs, CallContext&) {
  std::vector<Shape> shapes;
  int rank = 0;
  for (const Tensor& t : inputs) {
    shapes.push_back(t.shape());
    rank = std::max(rank, t.rank());
  }
  compute_output_shapes(shapes);
  // Keras's rule for inputs of lower rank: new axes of size 1 right after the batch.
  TensorList same_rank;
  for (Tensor t : inputs) {
    while (t.rank() < rank) t = expand_dims(t, 1);
    same_rank.push_back(t);
  }
  return {merge(same_rank)};
}

Tensor Add::merge(const TensorList& inputs) const {
  Tensor y = inputs[0];
  for (size_t i = 1; i < inputs.size(); ++i) y = y + inputs[i];
  return y;
}

LayerPtr Add::from_config(const nlohmann::json& c) {
  return merge_from_config<Add>(c, "Add");
}

void Subtract::check_count(size_t count) const {
  if (count != 2)
    throw ValueError(what() + " takes exactly 2 inputs, got " + std::to_string(count));
}

Tensor Subtract::merge(const TensorList& inputs) const {
  return inputs[0] - inputs[1];
}

LayerPtr Subtract::from_config(const nlohmann::json& c) {
  return merge_from_config<Subtract>(c, "Subtract");
}

Tensor Multiply::merge(const TensorList& inputs) const {
  Tensor y = inputs[0];
  for (size_t i = 1; i < inputs.size(); ++i) y = y * inputs[i];
  return y;
}

LayerPtr Multiply::from_config(const nlohmann::json& c) {
  return merge_from_config<Multiply>(c, "Multiply");
}

Tensor Average::merge(const TensorList& inputs) const {
  Tensor y = inputs[0];
  for (size_t i = 1; i < inputs.size(); ++i) y = y + inputs[i];
  return y / static_cast<double>(inputs.size());
}

LayerPtr Average::from_config(const nlohmann::json& c) {
  return merge_from_config<Average>(c, "Average");
}

Tensor Maximum::merge(const TensorList& inputs) const {
  Tensor y = inputs[0];
  for (size_t i = 1; i < inputs.size(); ++i) y = maximum(y, inputs[i]);
  return y;
}

LayerPtr Maximum::from_config(const nlohmann::json& c) {
  return merge_from_config<Maximum>(c, "Maximum");
}

Tensor Minimum::merge(const TensorList& inputs) const {
  Tensor y = inputs[0];
  for (size_t i = 1; i < inputs.size(); ++i) y = minimum(y, inputs[i]);
  return y;
}

LayerPtr Minimum::from_config(const nlohmann::json& c) {
  return merge_from_config<Minimum>(c, "Minimum");
}

std::vector<Shape> Concatenate::compute_output_shapes(const std::vector<Shape>& shapes) const {
  check_count(shapes.size());
  const int rank = shapes[0].rank();
  if (axis_ < -rank || axis_ >= rank)
    mismatch(shapes,
             "axis " + std::to_string(axis_) + " is out of range for rank " + std::to_string(rank));
  const int axis = static_cast<int>(axis_ < 0 ? axis_ + rank : axis_);
  Shape out = shapes[0];
  for (size_t k = 1; k < shapes.size(); ++k) {
    const Shape& s = shapes[k];
    if (s.rank() != rank) mismatch(shapes, "the ranks differ");
    for (int i = 0; i < rank; ++i) {
      if (i == axis) {
        out[i] = out[i] < 0 || s[i] < 0 ? -1 : out[i] + s[i];
      } else if (s[i] >= 0 && out[i] >= 0 && s[i] != out[i]) {
        mismatch(shapes, "every axis but the concatenation axis " + std::to_string(axis_) +
                             " must be equal");
      } else if (out[i] < 0) {
        out[i] = s[i];
      }
    }
  }
  return {out};
}

TensorList Concatenate::call_inputs(const TensorList& inputs, CallContext&) {
  std::vector<Shape> shapes;
  for (const Tensor& t : inputs) shapes.push_back(t.shape());
  compute_output_shapes(shapes);
  return {merge(inputs)};
}

Tensor Concatenate::merge(const TensorList& inputs) const {
  if (inputs.size() == 1) return inputs[0];
  const int rank = inputs[0].rank();
  return concat(inputs, static_cast<int>(axis_ < 0 ? axis_ + rank : axis_));
}

nlohmann::json Concatenate::get_config() const {
  nlohmann::json c = base_config();
  c["axis"] = axis_;
  return c;
}

LayerPtr Concatenate::from_config(const nlohmann::json& c) {
  LayerConfigReader r(c, "Concatenate", {"axis"});
  auto layer = std::make_shared<Concatenate>(r.axis("axis", -1), r.name());
  r.apply_common(*layer);
  return layer;
}

}  // namespace nabla
