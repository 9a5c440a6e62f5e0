// Attributes: the non-tensor arguments of an op (axes, flags, rates, seeds).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
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
/// by insertion; graphs export them to JSON and kernels read them by name (kernels do so in every
/// step, so lookups take a string_view and build no string).
class Attrs {
 public:
  using Entry = std::pair<std::string, AttrValue>;
  Attrs() = default;
  Attrs(std::initializer_list<Entry> entries) : entries_(entries) {}

  bool has(std::string_view name) const { return find(name) != nullptr; }
  /// Sets (or replaces) an attribute.
  void set(const std::string& name, AttrValue value);

  bool get_bool(std::string_view name) const;
  int64_t get_int(std::string_view name) const;
  double get_float(std::string_view name) const;
  const std::string& get_string(std::string_view name) const;
  const std::vector<int64_t>& get_ints(std::string_view name) const;
  DType get_dtype(std::string_view name) const;
  const Shape& get_shape(std::string_view name) const;

  bool get_bool(std::string_view name, bool fallback) const;
  int64_t get_int(std::string_view name, int64_t fallback) const;
  double get_float(std::string_view name, double fallback) const;

  const std::vector<Entry>& entries() const { return entries_; }
  /// "transpose_a=true, axis=-1" for messages and DOT labels.
  std::string to_string() const;

 private:
  const AttrValue* find(std::string_view name) const;
  const AttrValue& at(std::string_view name) const;
  std::vector<Entry> entries_;
};

}  // namespace nabla
