#include "framework/keras/progress_bar.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <iostream>

namespace nabla {

std::string format_duration(double seconds) {
  char buf[32];
  if (seconds >= 1.0) {
    std::snprintf(buf, sizeof buf, "%.0fs", std::floor(seconds));
  } else if (seconds >= 1e-3) {
    std::snprintf(buf, sizeof buf, "%.0fms", seconds * 1e3);
  } else {
    std::snprintf(buf, sizeof buf, "%.0fus", seconds * 1e6);
  }
  return buf;
}

bool ProgressBar::is_terminal(const std::ostream& os) {
  if (&os == &std::cout) return isatty(STDOUT_FILENO);
  if (&os == &std::cerr) return isatty(STDERR_FILENO);
  return false;
}

ProgressBar::ProgressBar(int64_t steps, int verbose, std::ostream& os)
    : steps_(steps),
      verbose_(verbose),
      in_place_(verbose == 1 && is_terminal(os)),
      os_(os),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

std::string ProgressBar::line(int64_t done,
                              const std::vector<std::pair<std::string, double>>& values,
                              bool final) const {
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::string s;
  const std::string count = std::to_string(done) + "/" + std::to_string(steps_);
  const std::string width = std::to_string(steps_);
  s += std::string(2 * width.size() + 1 - count.size(), ' ') + count;
  if (verbose_ == 1) {
    constexpr int kBar = 30;
    const int filled = steps_ ? static_cast<int>(kBar * done / steps_) : kBar;
    std::string bar(kBar, '.');
    for (int i = 0; i < filled; ++i) bar[i] = '=';
    if (filled > 0 && filled < kBar) bar[filled - 1] = '>';
    s += " [" + bar + "]";
  }
  const double per_step = done ? elapsed / static_cast<double>(done) : 0.0;
  if (final || verbose_ != 1) {
    s += " - " + format_duration(elapsed) + " " + format_duration(per_step) + "/step";
  } else {
    s += " - ETA: " + format_duration(per_step * static_cast<double>(steps_ - done));
  }
  for (const auto& [name, value] : values) {
    char buf[64];
    std::snprintf(buf, sizeof buf, std::fabs(value) < 1e-3 && value != 0 ? "%.4e" : "%.4f", value);
    s += " - " + name + ": " + buf;
  }
  return s;
}

void ProgressBar::update(int64_t done, const std::vector<std::pair<std::string, double>>& values) {
  if (!in_place_) return;
  const auto now = std::chrono::steady_clock::now();
  if (done < steps_ && now - last_draw_ < std::chrono::milliseconds(50)) return;
  last_draw_ = now;
  const std::string s = line(done, values, false);
  os_ << "\r" << s;
  if (s.size() < last_width_) os_ << std::string(last_width_ - s.size(), ' ');
  last_width_ = s.size();
  os_.flush();
}

void ProgressBar::finish(const std::vector<std::pair<std::string, double>>& values) {
  if (verbose_ == 0) return;
  const std::string s = line(steps_, values, true);
  if (in_place_) {
    os_ << "\r" << s;
    if (s.size() < last_width_) os_ << std::string(last_width_ - s.size(), ' ');
  } else {
    os_ << s;
  }
  os_ << "\n";
  os_.flush();
}

}  // namespace nabla
