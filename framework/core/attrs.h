// Attributes: the non-tensor arguments of an op (axes, flags, rates, seeds).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "framework/core/dtype.h"
#include "framework/core/shape.h"

namespace nabla {

/// One attribute value.
using AttrValue =
    std::variant<bool, int64_t, double, std::string, std::vector<int64_t>, DType, Shape>;

/// The named attributes of an op, e.g. {{"transpose_a", true}, {"axis", -1}}. Small and ordered
/// by insertion; graphs export them to JSON and kernels read them by name.
class Attrs {
 public:
  using Entry = std::pair<std::string, AttrValue>;
  Attrs() = default;
  Attrs(std::initializer_list<Entry> entries) : entries_(entries) {}

  bool has(const std::string& name) const { return find(name) != nullptr; }
  /// Sets (or replaces) an attribute.
  void set(const std::string& name, AttrValue value);

  bool get_bool(const std::string& name) const;
  int64_t get_int(const std::string& name) const;
  double get_float(const std::string& name) const;
  const std::string& get_string(const std::string& name) const;
  const std::vector<int64_t>& get_ints(const std::string& name) const;
  DType get_dtype(const std::string& name) const;
  const Shape& get_shape(const std::string& name) const;

  bool get_bool(const std::string& name, bool fallback) const;
  int64_t get_int(const std::string& name, int64_t fallback) const;
  double get_float(const std::string& name, double fallback) const;

  const std::vector<Entry>& entries() const { return entries_; }
  /// "transpose_a=true, axis=-1" for messages and DOT labels.
  std::string to_string() const;

 private:
  const AttrValue* find(const std::string& name) const;
  const AttrValue& at(const std::string& name) const;
  std::vector<Entry> entries_;
};

}  // namespace nabla
