#include "framework/keras/data_adapter.h"

#include <cmath>

#include "framework/backend/backend.h"
#include "framework/keras/compiled_model.h"
#include "framework/keras/sequential.h"
#include "framework/ops/ops.h"

namespace nabla {
namespace {

Tensor as_float32(const Tensor& t) {
  return t.dtype() == DType::Float32 ? t.to(Device::CPU) : cast(t.to(Device::CPU), DType::Float32);
}

// Class indices as int32 [n], each checked against the number of classes.
Tensor sparse_labels(const Tensor& y, int64_t n, int64_t classes, const std::string& what) {
  if (!(y.rank() == 1 || (y.rank() == 2 && y.shape()[1] == 1)))
    throw ShapeError(what + ": sparse labels must have shape (" + std::to_string(n) + ",) or (" +
                     std::to_string(n) + ", 1), got " + y.shape().to_string());
  if (y.dtype() == DType::Bool) throw TypeError(what + ": labels must be numbers, got bool");
  Tensor host = y.to(Device::CPU);
  Tensor out = Tensor::empty({n}, DType::Int32);
  int32_t* dst = out.data<int32_t>();
  for (int64_t i = 0; i < n; ++i) {
    const double v = host.at(i);
    if (std::isnan(v) || v != std::floor(v))
      throw ValueError(what + ": label " + std::to_string(v) + " at row " + std::to_string(i) +
                       " is not a class index (a whole number)");
    if (v < 0 || v >= static_cast<double>(classes))
      throw ValueError(what + ": label " + std::to_string(static_cast<int64_t>(v)) + " at row " +
                       std::to_string(i) + " is outside [0, " + std::to_string(classes) +
                       "): the model has " + std::to_string(classes) + " classes");
    dst[i] = static_cast<int32_t>(v);
  }
  return out;
}

// Values shaped like the model's output; [n] becomes [n, 1] for a one-unit output.
Tensor dense_labels(const Tensor& y, const Shape& label_shape, int64_t n, const std::string& what) {
  Tensor t = as_float32(y);
  if (t.rank() == 1 && label_shape.rank() == 2 && label_shape[1] == 1) t = t.view({n, 1});
  bool ok = t.rank() == label_shape.rank();
  for (int i = 1; ok && i < t.rank(); ++i) ok = t.shape()[i] == label_shape[i];
  if (!ok)
    throw ShapeError(what + ": labels of shape " + y.shape().to_string() +
                     " do not match the model's output " + label_shape.to_string() +
                     " (for class indices use a sparse loss)");
  return t;
}

// The class of each sample, for class_weight: the index, the argmax of a one-hot row, or the
// rounded value of a single output.
int64_t class_of(const Tensor& labels, int64_t row, bool sparse) {
  if (sparse) return static_cast<int64_t>(labels.at(row));
  const int64_t width = labels.numel() / labels.shape()[0];
  if (width == 1) return static_cast<int64_t>(std::lround(labels.at(row)));
  int64_t best = 0;
  for (int64_t j = 1; j < width; ++j)
    if (labels.at(row * width + j) > labels.at(row * width + best)) best = j;
  return best;
}

}  // namespace

DataSet DataSet::rows(int64_t begin, int64_t end) const {
  // Views, not copies: a validation split costs no memory.
  auto part = [&](const Tensor& t) { return t.defined() ? t.rows(begin, end) : t; };
  return {part(x), part(y), part(weights)};
}

DataSet DataSet::to(Device device) const {
  return {x.to(device), y.defined() ? y.to(device) : y,
          weights.defined() ? weights.to(device) : weights};
}

DataSet make_inputs(Sequential& model, const Tensor& x, const std::string& what) {
  if (!x.is_eager()) throw ValueError(what + ": x must be an eager tensor of data");
  if (x.rank() < 1 || x.shape()[0] == 0)
    throw ValueError(what + ": the dataset is empty (x has shape " + x.shape().to_string() + ")");
  try {
    model.check_input(x, "x");
  } catch (const Error&) {
    rethrow_with_context(what + ": ");
  }
  return {as_float32(x), Tensor(), Tensor()};
}

DataSet make_dataset(Sequential& model, const CompiledModel& cm, const Tensor& x, const Tensor& y,
                     const Tensor& sample_weight, const std::map<int64_t, double>& class_weight,
                     const std::string& what) {
  DataSet ds = make_inputs(model, x, what);
  const int64_t n = ds.size();
  if (!y.is_eager()) throw ValueError(what + ": y must be an eager tensor of labels");
  if (y.rank() < 1 || y.shape()[0] != n)
    throw ValueError(what + ": x has " + std::to_string(n) + " rows but y has " +
                     (y.rank() ? std::to_string(y.shape()[0]) : std::string("none (a scalar)")));
  const bool sparse = cm.label_dtype == DType::Int32;
  const int64_t classes = model.output_shape().dim(-1);
  ds.y = sparse ? sparse_labels(y, n, classes, what) : dense_labels(y, cm.label_shape, n, what);

  ds.weights = Tensor::ones({n});
  float* w = ds.weights.data<float>();
  if (sample_weight.defined()) {
    if (sample_weight.rank() != 1 || sample_weight.shape()[0] != n)
      throw ShapeError(what + ": sample_weight must have shape (" + std::to_string(n) + ",), got " +
                       sample_weight.shape().to_string());
    const Tensor sw = as_float32(sample_weight);
    for (int64_t i = 0; i < n; ++i) {
      if (!(sw.at(i) >= 0))
        throw ValueError(what + ": sample_weight at row " + std::to_string(i) +
                         " is negative or NaN");
      w[i] = static_cast<float>(sw.at(i));
    }
  }
  if (!class_weight.empty()) {
    const int64_t num_classes = sparse || classes > 1 ? classes : 2;
    for (const auto& [c, weight] : class_weight)
      if (c < 0 || c >= num_classes)
        throw ValueError(what + ": class_weight names class " + std::to_string(c) +
                         ", outside [0, " + std::to_string(num_classes) + ")");
    for (int64_t i = 0; i < n; ++i) {
      auto it = class_weight.find(class_of(ds.y, i, sparse));
      if (it != class_weight.end()) w[i] *= static_cast<float>(it->second);
    }
  }
  return ds;
}

void gather_rows(const Tensor& source, const Tensor& indices, int64_t offset, int64_t count,
                 const TensorView& destination) {
  Backend& backend = backend_for(source.device());
  TensorView in[2] = {
      {source.raw_data(), source.shape(), source.dtype()},
      {static_cast<int64_t*>(indices.raw_data()) + offset, Shape{count}, DType::Int64}};
  KernelArgs args;
  args.op = "Gather";
  args.inputs = in;
  args.num_inputs = 2;
  args.output = destination;
  args.context = backend.kernel_context();
  backend.kernel("Gather")(args);
}

}  // namespace nabla
