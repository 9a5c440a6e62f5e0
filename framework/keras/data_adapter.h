// Training data checked against a compiled model and laid out the way its placeholders take it.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "framework/backend/kernel.h"
#include "framework/core/tensor.h"

namespace nabla {

class Model;
struct TrainStep;

/// Samples for fit / evaluate / predict: one tensor per model input, and per output the labels
/// and per-sample weights; row i of each belongs to sample i.
struct DataSet {
  TensorList x;        // float32 [n, ...input shape], one per input
  TensorList y;        // the label placeholders' dtypes, [n, ...], one per output (none: predict)
  TensorList weights;  // float32 [n], one per output
  int64_t size() const { return x[0].shape()[0]; }
  /// Rows [begin, end) of every part (views sharing the data).
  DataSet rows(int64_t begin, int64_t end) const;
  /// Every part moved to `device` (shared when already there).
  DataSet to(Device device) const;
};

/// Checks x, y and weights against the model and converts them: x to float32, labels to what the
/// loss takes (class indices as int32 for sparse losses, checked to lie in [0, classes); values
/// shaped like the output otherwise), sample_weight times class_weight to float32 [n]. Every
/// problem is a ValueError or ShapeError that names `what` ("fit", "validation_data", ...) and
/// the offending row or shape.
DataSet make_dataset(const Model& model, const TrainStep& step, const TensorList& x,
                     const TensorList& y, const Tensor& sample_weight,
                     const std::map<int64_t, double>& class_weight, const std::string& what);

/// Features only (predict).
DataSet make_inputs(const Model& model, const TensorList& x, const std::string& what);

/// Bytes of one row (everything after the first dimension) of `source`.
size_t row_bytes(const Tensor& source);

/// Copies rows indices[offset, offset + count) of `source` into `destination` with the Gather
/// kernel of the device both live on (indices: int64 on that device; undefined: the rows
/// [offset, offset + count) in order, copied as one block).
void gather_rows(const Tensor& source, const Tensor& indices, int64_t offset, int64_t count,
                 const TensorView& destination);

}  // namespace nabla
