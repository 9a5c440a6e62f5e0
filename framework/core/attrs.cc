#include "framework/core/attrs.h"

#include <sstream>

#include "framework/core/errors.h"

namespace nabla {

void Attrs::set(const std::string& name, AttrValue value) {
  for (auto& e : entries_)
    if (e.first == name) {
      e.second = std::move(value);
      return;
    }
  entries_.emplace_back(name, std::move(value));
}

const AttrValue* Attrs::find(std::string_view name) const {
  for (const auto& e : entries_)
    if (e.first == name) return &e.second;
  return nullptr;
}

const AttrValue& Attrs::at(std::string_view name) const {
  const AttrValue* v = find(name);
  if (!v) throw NotFoundError("missing attribute '" + std::string(name) + "'");
  return *v;
}

namespace {
template <class T>
const T& typed(const AttrValue& v, std::string_view name, const char* type) {
  if (const T* p = std::get_if<T>(&v)) return *p;
  throw TypeError("attribute '" + std::string(name) + "' is not " + type);
}
}  // namespace

bool Attrs::get_bool(std::string_view name) const {
  return typed<bool>(at(name), name, "a bool");
}

int64_t Attrs::get_int(std::string_view name) const {
  const AttrValue& v = at(name);
  if (const bool* b = std::get_if<bool>(&v)) return *b;
  return typed<int64_t>(v, name, "an int");
}

double Attrs::get_float(std::string_view name) const {
  const AttrValue& v = at(name);
  if (const int64_t* i = std::get_if<int64_t>(&v)) return static_cast<double>(*i);
  return typed<double>(v, name, "a float");
}

const std::string& Attrs::get_string(std::string_view name) const {
  return typed<std::string>(at(name), name, "a string");
}

const std::vector<int64_t>& Attrs::get_ints(std::string_view name) const {
  return typed<std::vector<int64_t>>(at(name), name, "a list of ints");
}

DType Attrs::get_dtype(std::string_view name) const {
  return typed<DType>(at(name), name, "a dtype");
}

const Shape& Attrs::get_shape(std::string_view name) const {
  return typed<Shape>(at(name), name, "a shape");
}

bool Attrs::get_bool(std::string_view name, bool fallback) const {
  return has(name) ? get_bool(name) : fallback;
}
int64_t Attrs::get_int(std::string_view name, int64_t fallback) const {
  return has(name) ? get_int(name) : fallback;
}
double Attrs::get_float(std::string_view name, double fallback) const {
  return has(name) ? get_float(name) : fallback;
}

std::string Attrs::to_string() const {
  std::ostringstream os;
  bool first = true;
  for (const auto& [name, value] : entries_) {
    os << (first ? "" : ", ") << name << "=";
    first = false;
    std::visit(
        [&os](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, bool>) {
            os << (v ? "true" : "false");
          } else if constexpr (std::is_same_v<T, std::vector<int64_t>>) {
            os << "[";
            for (size_t i = 0; i < v.size(); ++i) os << (i ? "," : "") << v[i];
            os << "]";
          } else if constexpr (std::is_same_v<T, DType>) {
            os << dtype_name(v);
          } else if constexpr (std::is_same_v<T, Shape>) {
            os << v.to_string();
          } else {
            os << v;
          }
        },
        value);
  }
  return os.str();
}

}  // namespace nabla
