#include "framework/keras/data_adapter.h"

#include <cmath>

#include "framework/backend/backend.h"
#include "framework/keras/model.h"
#include "framework/keras/train_step.h"
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
  auto part = [&](const TensorList& ts) {
    TensorList out;
    for (const Tensor& t : ts) out.push_back(t.rows(begin, end));
    return out;
  };
  return {part(x), part(y), part(weights)};
}

DataSet DataSet::to(Device device) const {
  auto part = [&](const TensorList& ts) {
    TensorList out;
    for (const Tensor& t : ts) out.push_back(t.to(device));
    return out;
  };
  return {part(x), part(y), part(weights)};
}

DataSet make_inputs(const Model& model, const TensorList& x, const std::string& what) {
  const std::vector<Shape> inputs = model.input_shapes();
  if (x.size() != inputs.size())
    throw ValueError(what + ": the model has " + std::to_string(inputs.size()) + " inputs, got " +
                     std::to_string(x.size()) + " arrays");
  DataSet ds;
  for (size_t i = 0; i < x.size(); ++i) {
    if (!x[i].is_eager()) throw ValueError(what + ": x must be an eager tensor of data");
    if (x[i].rank() < 1 || x[i].shape()[0] == 0)
      throw ValueError(what + ": the dataset is empty (x has shape " + x[i].shape().to_string() +
                       ")");
    if (i && x[i].shape()[0] != x[0].shape()[0])
      throw ValueError(what + ": input 0 has " + std::to_string(x[0].shape()[0]) +
                       " rows but input " + std::to_string(i) + " has " +
                       std::to_string(x[i].shape()[0]));
    const Shape& want = inputs[i];
    const Shape& got = x[i].shape();
    bool ok = got.rank() == want.rank();
    for (int d = 1; ok && d < got.rank(); ++d) ok = want[d] < 0 || want[d] == got[d];
    if (!ok)
      throw ShapeError(what + ": model '" + model.name() + "' expects " +
                       (inputs.size() == 1 ? std::string("x") : "input " + std::to_string(i)) +
                       " of shape " + want.to_string() + ", got " + got.to_string());
    ds.x.push_back(as_float32(x[i]));
  }
  return ds;
}

DataSet make_dataset(const Model& model, const TrainStep& step, const TensorList& x,
                     const TensorList& y, const Tensor& sample_weight,
                     const std::map<int64_t, double>& class_weight, const std::string& what) {
  DataSet ds = make_inputs(model, x, what);
  const int64_t n = ds.size();
  if (y.size() != step.targets.size())
    throw ValueError(what + ": the model has " + std::to_string(step.targets.size()) +
                     " outputs, got " + std::to_string(y.size()) + " arrays of labels");
  const std::vector<Shape> outputs = model.output_shapes();
  for (size_t o = 0; o < y.size(); ++o) {
    const TrainStep::Target& target = step.targets[o];
    if (!y[o].is_eager()) throw ValueError(what + ": y must be an eager tensor of labels");
    if (y[o].rank() < 1 || y[o].shape()[0] != n)
      throw ValueError(
          what + ": x has " + std::to_string(n) + " rows but y has " +
          (y[o].rank() ? std::to_string(y[o].shape()[0]) : std::string("none (a scalar)")));
    const bool sparse = target.label_dtype == DType::Int32;
    const int64_t classes = outputs[o].dim(-1);
    Tensor labels = sparse ? sparse_labels(y[o], n, classes, what)
                           : dense_labels(y[o], target.label_shape, n, what);

    Tensor weights = Tensor::ones({n});
    float* w = weights.data<float>();
    if (sample_weight.defined()) {
      if (sample_weight.rank() != 1 || sample_weight.shape()[0] != n)
        throw ShapeError(what + ": sample_weight must have shape (" + std::to_string(n) +
                         ",), got " + sample_weight.shape().to_string());
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
        auto it = class_weight.find(class_of(labels, i, sparse));
        if (it != class_weight.end()) w[i] *= static_cast<float>(it->second);
      }
    }
    ds.y.push_back(labels);
    ds.weights.push_back(weights);
  }
  return ds;
}

size_t row_bytes(const Tensor& source) {
  const int64_t rows = source.shape()[0];
  return rows ? static_cast<size_t>(source.numel() / rows) * dtype_size(source.dtype()) : 0;
}

void gather_rows(const Tensor& source, const Tensor& indices, int64_t offset, int64_t count,
                 const TensorView& destination) {
  if (!indices.defined()) {
    const size_t bytes = row_bytes(source);
    copy_bytes(destination.data, source.device(),
               static_cast<const char*>(source.raw_data()) + offset * bytes, source.device(),
               static_cast<size_t>(count) * bytes);
    return;
  }
  Backend& backend = backend_for(source.device());
  TensorView in[2] = {
      {source.raw_data(), source.shape(), source.dtype()},
      {static_cast<int64_t*>(indices.raw_data()) + offset, Shape{count}, DType::Int64}};
  KernelArgs args;
  args.op = op::Gather;
  args.inputs = in;
  args.num_inputs = 2;
  args.output = destination;
  args.context = backend.kernel_context();
  backend.prepare(args);
  backend.kernel(op::Gather)(args);
}

}  // namespace nabla
