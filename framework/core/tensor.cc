#include "framework/core/tensor.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <ostream>
#include <sstream>

#include "framework/core/philox.h"
#include "framework/core/tensor_impl.h"

namespace nabla {

namespace detail {
uint64_t next_tensor_id() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}
}  // namespace detail

using detail::TensorImpl;

namespace {

std::shared_ptr<TensorImpl> new_eager(const Shape& shape, DType dtype, Device device) {
  if (!shape.is_fully_defined())
    throw ShapeError("an eager tensor needs a fully defined shape, got " + shape.to_string());
  auto impl = std::make_shared<TensorImpl>();
  impl->shape = shape;
  impl->dtype = dtype;
  const size_t bytes = static_cast<size_t>(shape.numel()) * dtype_size(dtype);
  // The description names the shape, but is only built when the memory is not there: building
  // it every time costs more than allocating a small tensor (a predict's output).
  try {
    impl->storage = Storage::allocate(device, bytes, "tensor");
  } catch (const OutOfMemoryError&) {
    impl->storage = Storage::allocate(device, bytes, "tensor of shape " + shape.to_string());
  }
  impl->id = detail::next_tensor_id();
  return impl;
}

// Writes `value` converted to `dtype` at element i of host memory.
void store(void* data, DType dtype, int64_t i, double value) {
  switch (dtype) {
    case DType::Float32:
      static_cast<float*>(data)[i] = static_cast<float>(value);
      break;
    case DType::Float64:
      static_cast<double*>(data)[i] = value;
      break;
    case DType::Int32:
      static_cast<int32_t*>(data)[i] = static_cast<int32_t>(value);
      break;
    case DType::Int64:
      static_cast<int64_t*>(data)[i] = static_cast<int64_t>(value);
      break;
    case DType::Bool:
      static_cast<uint8_t*>(data)[i] = value != 0;
      break;
  }
}

double load(const void* data, DType dtype, int64_t i) {
  switch (dtype) {
    case DType::Float32:
      return static_cast<const float*>(data)[i];
    case DType::Float64:
      return static_cast<const double*>(data)[i];
    case DType::Int32:
      return static_cast<const int32_t*>(data)[i];
    case DType::Int64:
      return static_cast<double>(static_cast<const int64_t*>(data)[i]);
    case DType::Bool:
      return static_cast<const uint8_t*>(data)[i];
  }
  return 0;
}

// Fills a new host tensor element by element, then moves it to its device.
template <class F>
Tensor generate(const Shape& shape, DType dtype, Device device, F value_of) {
  Tensor host = Tensor::empty(shape, dtype);
  void* data = host.raw_data();
  const int64_t n = shape.numel();
  for (int64_t i = 0; i < n; ++i) store(data, dtype, i, value_of(i));
  return host.to(device);
}

Tensor weak_scalar(double v, DType dtype) {
  Tensor t = Tensor::scalar(v, dtype);
  return t;
}

}  // namespace

Tensor::Tensor(float value) : Tensor(weak_scalar(value, DType::Float32)) {
  impl_->weak = true;
  impl_->literal = value;
}
Tensor::Tensor(double value) : Tensor(weak_scalar(value, DType::Float32)) {
  impl_->weak = true;
  impl_->literal = value;
}
Tensor::Tensor(int value) : Tensor(weak_scalar(value, DType::Float32)) {
  impl_->weak = true;
  impl_->literal = value;
}

Tensor::Tensor(const std::vector<float>& values, const Shape& shape)
    : Tensor(from_vector(values, shape)) {}

Tensor::Tensor(std::initializer_list<float> values)
    : Tensor(from_vector(std::vector<float>(values), Shape{static_cast<int64_t>(values.size())})) {}

Tensor Tensor::from_data(const void* data, const Shape& shape, DType dtype) {
  Tensor t = empty(shape, dtype);
  std::memcpy(t.raw_data(), data, t.storage()->bytes());
  return t;
}

Tensor Tensor::scalar(double value, DType dtype) {
  Tensor t = empty(Shape{}, dtype);
  store(t.raw_data(), dtype, 0, value);
  return t;
}

Tensor Tensor::zeros(const Shape& shape, DType dtype, Device device) {
  return full(shape, 0.0, dtype, device);
}

Tensor Tensor::ones(const Shape& shape, DType dtype, Device device) {
  return full(shape, 1.0, dtype, device);
}

Tensor Tensor::full(const Shape& shape, double value, DType dtype, Device device) {
  return generate(shape, dtype, device, [value](int64_t) { return value; });
}

Tensor Tensor::empty(const Shape& shape, DType dtype, Device device) {
  Tensor t;
  t.impl_ = new_eager(shape, dtype, device);
  return t;
}

Tensor Tensor::random_normal(const Shape& shape, double mean, double stddev, uint64_t seed,
                             DType dtype) {
  return generate(shape, dtype, Device::CPU, [&](int64_t i) {
    return mean + stddev * philox::normal(seed, 0, static_cast<uint64_t>(i));
  });
}

Tensor Tensor::random_uniform(const Shape& shape, double minval, double maxval, uint64_t seed,
                              DType dtype) {
  return generate(shape, dtype, Device::CPU, [&](int64_t i) {
    return minval + (maxval - minval) * philox::uniform(seed, 0, static_cast<uint64_t>(i));
  });
}

Tensor Tensor::truncated_normal(const Shape& shape, double mean, double stddev, uint64_t seed,
                                DType dtype) {
  return generate(shape, dtype, Device::CPU, [&](int64_t i) {
    return mean + stddev * philox::truncated_normal(seed, 0, static_cast<uint64_t>(i));
  });
}

bool Tensor::is_symbolic() const {
  return impl_ && impl_->node != nullptr;
}

const Shape& Tensor::shape() const {
  if (!impl_) throw StateError("shape() of an undefined tensor");
  return impl_->shape;
}

DType Tensor::dtype() const {
  if (!impl_) throw StateError("dtype() of an undefined tensor");
  return impl_->dtype;
}

Device Tensor::device() const {
  return impl_ && impl_->storage ? impl_->storage->device() : Device::CPU;
}

bool Tensor::is_weak() const {
  return impl_ && impl_->weak;
}
double Tensor::literal_value() const {
  return impl_ ? impl_->literal : 0.0;
}

const TensorImpl& Tensor::checked_eager(const char* what) const {
  if (!impl_) throw StateError(std::string(what) + " of an undefined tensor");
  if (impl_->node)
    throw StateError(std::string(what) + " of symbolic tensor '" + name() +
                     "': it has no value until a Session runs it");
  return *impl_;
}

void* Tensor::raw_data() const {
  return checked_eager("data").storage->data();
}

template <class T>
T* Tensor::data() {
  const TensorImpl& impl = checked_eager("data");
  if (impl.dtype != dtype_of<T>())
    throw TypeError(std::string("data<") + dtype_name(dtype_of<T>()) + ">() of a " +
                    dtype_name(impl.dtype) + " tensor");
  if (!impl.storage->device().is_cpu())
    throw StateError("data() of a tensor on " + impl.storage->device().to_string() +
                     ": copy it to the CPU first with .to(Device::CPU)");
  return static_cast<T*>(impl.storage->data());
}

template <class T>
const T* Tensor::data() const {
  return const_cast<Tensor*>(this)->data<T>();
}

template float* Tensor::data<float>();
template double* Tensor::data<double>();
template int32_t* Tensor::data<int32_t>();
template int64_t* Tensor::data<int64_t>();
template bool* Tensor::data<bool>();
template const bool* Tensor::data<bool>() const;
template const float* Tensor::data<float>() const;
template const double* Tensor::data<double>() const;
template const int32_t* Tensor::data<int32_t>() const;
template const int64_t* Tensor::data<int64_t>() const;

double Tensor::at(int64_t i) const {
  const TensorImpl& impl = checked_eager("at");
  if (i < 0 || i >= impl.shape.numel())
    throw ValueError("at(" + std::to_string(i) + ") is out of range for shape " +
                     impl.shape.to_string());
  if (impl.storage->device().is_cpu()) return load(impl.storage->data(), impl.dtype, i);
  return to(Device::CPU).at(i);
}

template <class T>
T Tensor::item() const {
  const TensorImpl& impl = checked_eager("item");
  if (impl.shape.numel() != 1)
    throw ShapeError("item() needs a one-element tensor, got shape " + impl.shape.to_string());
  return static_cast<T>(at(0));
}
template float Tensor::item<float>() const;
template double Tensor::item<double>() const;
template int32_t Tensor::item<int32_t>() const;
template int64_t Tensor::item<int64_t>() const;
template bool Tensor::item<bool>() const;

template <class T>
std::vector<T> Tensor::to_vector() const {
  Tensor host = to(Device::CPU);
  const int64_t n = host.numel();
  std::vector<T> out(static_cast<size_t>(n));
  const void* data = host.raw_data();
  // The same type: an exact copy (an int64 above 2^53 does not survive a trip through double).
  if (host.dtype() == dtype_of<T>()) {
    if (n) std::memcpy(out.data(), data, static_cast<size_t>(n) * sizeof(T));
    return out;
  }
  for (int64_t i = 0; i < n; ++i) {
    const double v = load(data, host.dtype(), i);
    if constexpr (std::is_integral_v<T>) {
      // Defined for every value: NaN -> 0, beyond the range -> its end (a plain cast is UB).
      constexpr double lo = static_cast<double>(std::numeric_limits<T>::min());
      constexpr double hi = static_cast<double>(std::numeric_limits<T>::max());
      out[i] = std::isnan(v) ? T(0)
               : v <= lo     ? std::numeric_limits<T>::min()
               : v >= hi     ? std::numeric_limits<T>::max()
                             : static_cast<T>(v);
    } else {
      out[i] = static_cast<T>(v);
    }
  }
  return out;
}
template std::vector<float> Tensor::to_vector<float>() const;
template std::vector<double> Tensor::to_vector<double>() const;
template std::vector<int32_t> Tensor::to_vector<int32_t>() const;
template std::vector<int64_t> Tensor::to_vector<int64_t>() const;

Tensor Tensor::to(Device device) const {
  const TensorImpl& impl = checked_eager("to()");
  if (impl.storage->device() == device) return *this;
  Tensor out = empty(impl.shape, impl.dtype, device);
  copy_bytes(out.raw_data(), device, impl.storage->data(), impl.storage->device(),
             impl.storage->bytes());
  return out;
}

Tensor Tensor::clone() const {
  const TensorImpl& impl = checked_eager("clone()");
  const Device device = impl.storage->device();
  Tensor out = empty(impl.shape, impl.dtype, device);
  copy_bytes(out.raw_data(), device, impl.storage->data(), device, impl.storage->bytes());
  return out;
}

Tensor Tensor::view(const Shape& shape) const {
  const TensorImpl& impl = checked_eager("view()");
  if (shape.numel() != impl.shape.numel())
    throw ShapeError("cannot view a tensor of shape " + impl.shape.to_string() + " as " +
                     shape.to_string());
  return make_eager(impl.storage, shape, impl.dtype);
}

Tensor Tensor::rows(int64_t begin, int64_t end) const {
  const TensorImpl& impl = checked_eager("rows()");
  if (impl.shape.rank() < 1 || begin < 0 || end < begin || end > impl.shape[0])
    throw ShapeError("rows(" + std::to_string(begin) + ", " + std::to_string(end) +
                     ") of a tensor of shape " + impl.shape.to_string());
  Shape s = impl.shape;
  const size_t row_bytes = s[0] ? impl.storage->bytes() / static_cast<size_t>(s[0]) : 0;
  s[0] = end - begin;
  return make_eager(Storage::slice(impl.storage, begin * row_bytes, (end - begin) * row_bytes), s,
                    impl.dtype);
}

const std::shared_ptr<Storage>& Tensor::storage() const {
  return checked_eager("storage").storage;
}

Node* Tensor::node() const {
  return impl_ ? impl_->node : nullptr;
}
Graph* Tensor::graph() const {
  return impl_ ? impl_->graph : nullptr;
}
std::string Tensor::name() const {
  return impl_ && impl_->name ? *impl_->name : "";
}

Tensor Tensor::keeping_alive(std::shared_ptr<const void> owner) const {
  if (!impl_) throw StateError("keeping_alive() of an undefined tensor");
  Tensor t;
  t.impl_ = std::make_shared<TensorImpl>(*impl_);
  t.impl_->owner = std::move(owner);
  return t;
}

const std::shared_ptr<VariableState>& Tensor::variable() const {
  static const std::shared_ptr<VariableState> none;
  return impl_ ? impl_->variable : none;
}

uint64_t Tensor::id() const {
  return impl_ ? impl_->id : 0;
}

Tensor Tensor::make_symbolic(Node* node, Graph* graph, const std::string* name, const Shape& shape,
                             DType dtype, std::shared_ptr<VariableState> variable) {
  Tensor t;
  t.impl_ = std::make_shared<TensorImpl>();
  t.impl_->node = node;
  t.impl_->graph = graph;
  t.impl_->name = name;
  t.impl_->shape = shape;
  t.impl_->dtype = dtype;
  t.impl_->variable = std::move(variable);
  return t;
}

Tensor Tensor::make_eager(std::shared_ptr<Storage> storage, const Shape& shape, DType dtype) {
  Tensor t;
  t.impl_ = std::make_shared<TensorImpl>();
  t.impl_->storage = std::move(storage);
  t.impl_->shape = shape;
  t.impl_->dtype = dtype;
  t.impl_->id = detail::next_tensor_id();
  return t;
}

Tensor Tensor::make_variable_read(std::shared_ptr<Storage> storage, const Shape& shape, DType dtype,
                                  std::shared_ptr<VariableState> variable, uint64_t id) {
  Tensor t;
  t.impl_ = std::make_shared<TensorImpl>();
  t.impl_->storage = std::move(storage);
  t.impl_->shape = shape;
  t.impl_->dtype = dtype;
  t.impl_->variable = std::move(variable);
  t.impl_->id = id;
  return t;
}

}  // namespace nabla
