// The table of Keras's model.summary(): fixed-width columns between rules.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace nabla {

/// Prints the header of a summary table on construction, then one row per call; the rows are
/// separated by blank lines as Keras separates them.
class SummaryTable {
 public:
  /// Column titles and widths; the rules span `total` characters.
  SummaryTable(std::ostream& os, std::vector<std::pair<std::string, size_t>> columns,
               size_t total = 65)
      : os_(os), columns_(std::move(columns)), total_(total) {
    os_ << " ";
    for (const auto& [title, width] : columns_) os_ << cell(title, width);
    os_ << "\n" << std::string(total_, '=') << "\n";
  }

  /// One row of cells (one per column); `last` leaves out the blank line after it.
  void row(const std::vector<std::string>& cells, bool last) {
    os_ << " ";
    for (size_t i = 0; i < columns_.size() && i < cells.size(); ++i)
      os_ << cell(cells[i], columns_[i].second);
    os_ << "\n";
    if (!last) os_ << std::string(total_, ' ') << "\n";
  }

  /// 1234567 as "1,234,567".
  static std::string thousands(int64_t n) {
    std::string s = std::to_string(n), out;
    for (size_t i = 0; i < s.size(); ++i) {
      if (i && (s.size() - i) % 3 == 0) out += ',';
      out += s[i];
    }
    return out;
  }

 private:
  static std::string cell(const std::string& text, size_t width) {
    return text.size() >= width ? text + " " : text + std::string(width - text.size(), ' ');
  }
  std::ostream& os_;
  std::vector<std::pair<std::string, size_t>> columns_;
  size_t total_;
};

}  // namespace nabla
