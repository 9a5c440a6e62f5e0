// Histogram buckets as TensorFlow 2's tf.summary.histogram computes them.
#pragma once

#include <span>
#include <vector>

namespace nabla::tensorboard {

/// One bucket: values in [left, right) (the last bucket includes its right edge).
struct HistogramBucket {
  double left = 0, right = 0, count = 0;
};

/// TensorBoard's default number of buckets.
constexpr int kDefaultHistogramBuckets = 30;

/// `bucket_count` equal-width buckets spanning [min, max] of the finite `values`, as
/// tf.summary.histogram makes them: all zeros (edges and counts) when there is no finite value,
/// and when every value is the same, zero-width buckets at that value with the whole count in the
/// last. NaN and infinities are left out (TensorBoard cannot place them). ValueError when
/// `bucket_count` < 1.
std::vector<HistogramBucket> histogram_buckets(std::span<const double> values,
                                               int bucket_count = kDefaultHistogramBuckets);

}  // namespace nabla::tensorboard
