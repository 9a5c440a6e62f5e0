// Keras's progress display for fit, evaluate and predict.
#pragma once

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

namespace nabla {

/// Prints `469/469 [==============================] - 1s 2ms/step - loss: 0.3125 - accuracy:
/// 0.8873`. verbose 1 on a terminal: updated in place (carriage returns, at most ~20 times a
/// second); verbose 1 when the output is not a terminal (a log file, CI), or verbose 2: one line
/// when the epoch ends instead of hundreds of carriage returns; verbose 0: nothing.
class ProgressBar {
 public:
  ProgressBar(int64_t steps, int verbose, std::ostream& os);
  /// After step `done` (1-based) with the running values.
  void update(int64_t done, const std::vector<std::pair<std::string, double>>& values);
  /// The final line of the epoch with every value (training and validation).
  void finish(const std::vector<std::pair<std::string, double>>& values);
  /// Whether the stream is a terminal (decides in-place updates).
  static bool is_terminal(const std::ostream& os);

 private:
  std::string line(int64_t done, const std::vector<std::pair<std::string, double>>& values,
                   bool final) const;
  int64_t steps_;
  int verbose_;
  bool in_place_;
  std::ostream& os_;
  std::chrono::steady_clock::time_point start_, last_draw_;
  size_t last_width_ = 0;
};

/// "1s", "2ms", "350us": Keras's compact durations.
std::string format_duration(double seconds);

}  // namespace nabla
