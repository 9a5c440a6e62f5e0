#include "framework/core/shape.h"

#include <algorithm>

#include "framework/core/errors.h"

namespace nabla {

Shape::Shape(std::initializer_list<int64_t> dims) {
  for (int64_t d : dims) push_back(d);
}

Shape::Shape(const std::vector<int64_t>& dims) {
  for (int64_t d : dims) push_back(d);
}

int64_t Shape::dim(int axis) const {
  return dims_[normalize_axis(axis, rank_, "Shape::dim")];
}

bool Shape::is_fully_defined() const {
  return std::none_of(begin(), end(), [](int64_t d) { return d < 0; });
}

int64_t Shape::numel() const {
  int64_t n = 1;
  for (int64_t d : *this) {
    if (d < 0) throw ShapeError("shape " + to_string() + " has an unknown dimension");
    // An overflow check without a division (kernels ask for numel in every step).
    if (__builtin_mul_overflow(n, d, &n))
      throw OutOfMemoryError("out of memory: shape " + to_string() +
                             " has more than 2^63 elements");
  }
  return n;
}

void Shape::push_back(int64_t d) {
  if (rank_ == kMaxRank)
    throw ShapeError("rank above " + std::to_string(kMaxRank) + " is not supported");
  if (d < -1) throw ShapeError("negative dimension " + std::to_string(d) + " in a shape");
  dims_[rank_++] = d;
}

Shape Shape::inserted(int axis, int64_t d) const {
  Shape s;
  for (int i = 0; i <= rank_; ++i) {
    if (i == axis) s.push_back(d);
    if (i < rank_) s.push_back(dims_[i]);
  }
  return s;
}

Shape Shape::erased(int axis) const {
  Shape s;
  for (int i = 0; i < rank_; ++i)
    if (i != axis) s.push_back(dims_[i]);
  return s;
}

std::string Shape::to_string() const {
  std::string s = "(";
  for (int i = 0; i < rank_; ++i) {
    if (i) s += ", ";
    s += dims_[i] < 0 ? "None" : std::to_string(dims_[i]);
  }
  if (rank_ == 1) s += ",";
  return s + ")";
}

std::string Shape::to_list_string() const {
  std::string s = "[";
  for (int i = 0; i < rank_; ++i) {
    if (i) s += ", ";
    s += dims_[i] < 0 ? "None" : std::to_string(dims_[i]);
  }
  return s + "]";
}

bool Shape::operator==(const Shape& o) const {
  return rank_ == o.rank_ && std::equal(begin(), end(), o.begin());
}

int normalize_axis(int axis, int rank, const std::string& op) {
  if (axis < -rank || axis >= std::max(rank, 1) || (rank == 0 && axis != 0 && axis != -1))
    throw ShapeError(op + ": axis " + std::to_string(axis) + " is out of range for rank " +
                     std::to_string(rank));
  return axis < 0 ? axis + rank : axis;
}

bool shape_matches(const Shape& pattern, const Shape& concrete) {
  if (pattern.rank() != concrete.rank()) return false;
  for (int i = 0; i < pattern.rank(); ++i)
    if (pattern[i] >= 0 && pattern[i] != concrete[i]) return false;
  return true;
}

Shape broadcast_shapes(const Shape& a, const Shape& b, const std::string& op) {
  const int rank = std::max(a.rank(), b.rank());
  std::vector<int64_t> out(rank);
  for (int i = 0; i < rank; ++i) {
    const int ia = a.rank() - rank + i, ib = b.rank() - rank + i;
    const int64_t da = ia >= 0 ? a[ia] : 1, db = ib >= 0 ? b[ib] : 1;
    if (da == db || db == 1) {
      out[i] = da;
    } else if (da == 1) {
      out[i] = db;
    } else if (da < 0 || db < 0) {
      out[i] = std::max(da, db);  // the unknown one must be 1 or equal at run time
    } else {
      throw ShapeError(op + ": shapes " + a.to_string() + " and " + b.to_string() +
                       " cannot be broadcast together");
    }
  }
  return Shape(out);
}

}  // namespace nabla
