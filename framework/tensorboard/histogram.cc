#include "framework/tensorboard/histogram.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "framework/core/errors.h"

namespace nabla::tensorboard {

std::vector<HistogramBucket> histogram_buckets(std::span<const double> values, int bucket_count) {
  if (bucket_count < 1)
    throw ValueError("histogram: bucket_count must be >= 1, got " + std::to_string(bucket_count));
  double lo = INFINITY, hi = -INFINITY, n = 0;
  for (double v : values)
    if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v), n += 1;
  std::vector<HistogramBucket> buckets(static_cast<size_t>(bucket_count));
  if (n == 0) return buckets;
  if (hi == lo) {
    for (HistogramBucket& b : buckets) b.left = b.right = lo;
    buckets.back().count = n;
    return buckets;
  }
  const double width = (hi - lo) / bucket_count;
  for (int i = 0; i < bucket_count; ++i) {
    // Edges from the ends, not by accumulating widths, so the last right edge is exactly max.
    buckets[i].left = lo + (hi - lo) * i / bucket_count;
    buckets[i].right = i + 1 == bucket_count ? hi : lo + (hi - lo) * (i + 1) / bucket_count;
  }
  for (double v : values) {
    if (!std::isfinite(v)) continue;
    const auto index = static_cast<int>(std::floor((v - lo) / width));
    buckets[static_cast<size_t>(std::clamp(index, 0, bucket_count - 1))].count += 1;
  }
  return buckets;
}

}  // namespace nabla::tensorboard
