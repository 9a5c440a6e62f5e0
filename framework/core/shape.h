// Tensor shapes, with -1 for a dimension not known until run time (the batch).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace nabla {

/// The dimensions of a tensor, outermost first (row-major). A dimension of -1 is unknown until
/// the graph runs, as in a Placeholder of shape {-1, 784}. Stored inline (rank at most 8), so a
/// Shape never touches the heap.
class Shape {
 public:
  static constexpr int kMaxRank = 8;
  static constexpr int64_t kUnknown = -1;

  /// A scalar (rank 0).
  Shape() = default;
  Shape(std::initializer_list<int64_t> dims);
  explicit Shape(const std::vector<int64_t>& dims);

  int rank() const { return rank_; }
  int64_t operator[](int axis) const { return dims_[axis]; }
  int64_t& operator[](int axis) { return dims_[axis]; }
  /// Dimension `axis`, counting from the end when negative (dim(-1) is the last).
  int64_t dim(int axis) const;
  const int64_t* begin() const { return dims_; }
  const int64_t* end() const { return dims_ + rank_; }
  std::vector<int64_t> to_vector() const { return {begin(), end()}; }

  /// True when no dimension is -1.
  bool is_fully_defined() const;
  /// Number of elements; throws ShapeError if a dimension is unknown and OutOfMemoryError if
  /// the count overflows 64 bits.
  int64_t numel() const;

  /// Appends a dimension; throws ShapeError past kMaxRank.
  void push_back(int64_t d);
  /// A copy with `d` inserted before position `axis` (0..rank).
  Shape inserted(int axis, int64_t d) const;
  /// A copy without dimension `axis`.
  Shape erased(int axis) const;

  /// "(None, 784)" as Keras prints it; "()" for a scalar.
  std::string to_string() const;
  /// "[None, 784]": the Keras-JSON style used in configs and error messages about them.
  std::string to_list_string() const;

  bool operator==(const Shape& o) const;
  bool operator!=(const Shape& o) const { return !(*this == o); }

 private:
  int64_t dims_[kMaxRank] = {};
  int rank_ = 0;
};

/// Normalises an axis in [-rank, rank) to [0, rank); throws ShapeError naming `op` otherwise.
int normalize_axis(int axis, int rank, const std::string& op);

/// True when `concrete` (no unknowns) matches `pattern` (which may hold -1).
bool shape_matches(const Shape& pattern, const Shape& concrete);

/// The numpy broadcast of two shapes; -1 broadcasts as unknown. Throws ShapeError naming `op`
/// and both shapes when they are incompatible.
Shape broadcast_shapes(const Shape& a, const Shape& b, const std::string& op);

}  // namespace nabla
