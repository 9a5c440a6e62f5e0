// CSV tables and HDF5 datasets.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <set>

#include "framework/core/errors.h"
#include "framework/data/loaders.h"
#include "framework/io/hdf5.h"

namespace nabla {
namespace {

std::vector<std::string> split_line(const std::string& line, const std::string& path,
                                    size_t line_no) {
  std::vector<std::string> cells;
  std::string cell;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cell += '"', ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      cells.push_back(cell), cell.clear();
    } else if (c != '\r') {
      cell += c;
    }
  }
  if (quoted)
    throw IOError("'" + path + "' line " + std::to_string(line_no) + ": unterminated quote");
  cells.push_back(cell);
  for (std::string& s : cells) {  // trim spaces around cells
    s.erase(0, s.find_first_not_of(" \t"));
    s.erase(s.find_last_not_of(" \t") + 1);
  }
  return cells;
}

// How a cell reads as a number. Only plain decimals are numbers to nabla: strtod also takes
// "nan", "inf", "1e400" (as infinity) and hexadecimal "0x1A", which in a data file are far more
// often a mistake than meant.
enum class Cell { Decimal, NonFinite, NotDecimal, NotNumber };

bool is_decimal(const std::string& s) {
  size_t i = (s[0] == '+' || s[0] == '-') ? 1 : 0;
  size_t digits = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    const size_t start = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    if (i == start) return false;
  }
  return i == s.size();
}

// Reads `s` as a float32 value: Decimal within float32's range, NonFinite for NaN, infinities
// and decimals beyond the range (their float value is then NaN or +-inf), NotDecimal for what
// only strtod would take, NotNumber otherwise.
Cell parse_cell(const std::string& s, double* out) {
  if (s.empty()) return Cell::NotNumber;
  if (is_decimal(s)) {
    const char* begin = s.data() + (s[0] == '+' ? 1 : 0);
    const auto [end, ec] = std::from_chars(begin, s.data() + s.size(), *out);
    if (ec == std::errc::result_out_of_range) {
      // Overflow or underflow: which one follows from the decimal exponent of the first digit.
      const size_t first = s.find_first_of("123456789");
      const size_t dot = std::min(s.find('.'), s.find_first_of("eE"));
      const size_t e = s.find_first_of("eE");
      // Clamped: a written exponent can exceed long's range.
      long exponent =
          e == std::string::npos
              ? 0
              : std::clamp(std::strtol(s.c_str() + e + 1, nullptr, 10), -(1L << 40), 1L << 40);
      exponent += static_cast<long>(std::min(dot, s.size())) - static_cast<long>(first);
      const bool negative = s[0] == '-';
      *out = exponent > 0 ? (negative ? -HUGE_VAL : HUGE_VAL) : (negative ? -0.0 : 0.0);
    } else if (ec != std::errc() || end != s.data() + s.size()) {
      return Cell::NotNumber;
    }
    return std::isinf(static_cast<float>(*out)) ? Cell::NonFinite : Cell::Decimal;
  }
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size()) return Cell::NotNumber;
  std::string lower;
  for (char c : s) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower.find('x') != std::string::npos) return Cell::NotDecimal;
  *out = v;
  return Cell::NonFinite;  // nan, inf, infinity in any case and sign
}

// The line of row `r` in the file, for messages.
size_t line_of(const CsvTable& t, size_t r) {
  return r < t.lines.size() ? t.lines[r] : r + 2;
}

// The value of a cell, or a ValueError naming the file, line and column.
double cell_value(const CsvTable& t, size_t r, size_t c, const std::string& path,
                  const CsvOptions& options) {
  const std::string& s = t.rows[r][c];
  double v = 0;
  const Cell kind = parse_cell(s, &v);
  if (kind == Cell::Decimal || (kind == Cell::NonFinite && options.allow_non_finite())) return v;
  const std::string where = "'" + path + "' line " + std::to_string(line_of(t, r)) + ", column '" +
                            t.header[c] + "': '" + s + "' ";
  if (kind == Cell::NonFinite)
    throw ValueError(where +
                     "is not a finite float32 number (NaN, infinities and values beyond "
                     "+-3.4e38 are rejected unless allow_non_finite is set)");
  if (kind == Cell::NotDecimal) throw ValueError(where + "is not a decimal number");
  throw ValueError(where + "is not a number");
}

}  // namespace

CsvTable read_csv(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw IOError("cannot open CSV file '" + path + "'");
  CsvTable t;
  std::string line;
  size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    // A UTF-8 byte-order mark (spreadsheet exports write one) is not part of the first name.
    if (line_no == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    std::vector<std::string> cells = split_line(line, path, line_no);
    if (t.header.empty()) {
      t.header = std::move(cells);
      continue;
    }
    if (cells.size() != t.header.size())
      throw IOError("'" + path + "' line " + std::to_string(line_no) + ": " +
                    std::to_string(cells.size()) + " columns, but the header has " +
                    std::to_string(t.header.size()));
    t.rows.push_back(std::move(cells));
    t.lines.push_back(line_no);
  }
  if (t.header.empty()) throw IOError("CSV file '" + path + "' is empty");
  return t;
}

LabeledData csv_features_labels(const CsvTable& table, const std::string& path,
                                const std::string& label, const std::vector<std::string>* classes,
                                const CsvOptions& options) {
  const int64_t cols = static_cast<int64_t>(table.header.size());
  int64_t label_col = -1;
  if (!label.empty()) {
    auto it = std::find(table.header.begin(), table.header.end(), label);
    double index;
    if (it != table.header.end()) {
      label_col = it - table.header.begin();
    } else if (parse_cell(label, &index) == Cell::Decimal && index == std::floor(index) &&
               index >= static_cast<double>(-cols) && index < static_cast<double>(cols)) {
      label_col = index < 0 ? static_cast<int64_t>(index) + cols : static_cast<int64_t>(index);
    } else {
      throw ValueError("'" + path + "' has no column '" + label + "'" +
                       did_you_mean(label, table.header));
    }
  }
  LabeledData out;
  const int64_t rows = static_cast<int64_t>(table.rows.size());
  if (rows == 0) throw ValueError("CSV file '" + path + "' has a header but no rows");
  const int64_t features = cols - (label_col >= 0 ? 1 : 0);
  for (int64_t c = 0; c < cols; ++c)
    if (c != label_col) out.feature_names.push_back(table.header[c]);
  out.x = Tensor::empty({rows, features});
  float* x = out.x.data<float>();
  // Labels: numbers when every label reads as one (a NaN or a hexadecimal label is then an error,
  // not a class name), else class names (sorted) mapped to indices.
  bool numeric = label_col >= 0 && !classes;
  for (int64_t r = 0; numeric && r < rows; ++r) {
    double v;
    numeric = parse_cell(table.rows[r][label_col], &v) != Cell::NotNumber;
  }
  if (label_col >= 0 && !numeric) {
    if (classes) {
      out.classes = *classes;
    } else {
      std::set<std::string> names;
      for (const auto& row : table.rows) names.insert(row[label_col]);
      out.classes.assign(names.begin(), names.end());
    }
  }
  if (label_col >= 0) out.y = Tensor::empty({rows});
  for (int64_t r = 0; r < rows; ++r) {
    const auto& row = table.rows[r];
    int64_t f = 0;
    for (int64_t c = 0; c < cols; ++c) {
      if (c == label_col) continue;
      x[r * features + f++] = static_cast<float>(cell_value(table, r, c, path, options));
    }
    if (label_col < 0) continue;
    double v = 0;
    if (numeric) {
      v = cell_value(table, r, label_col, path, options);
    } else {
      auto it = std::find(out.classes.begin(), out.classes.end(), row[label_col]);
      if (it == out.classes.end())
        throw ValueError("'" + path + "' line " + std::to_string(line_of(table, r)) + ": label '" +
                         row[label_col] + "' is not one of the training classes");
      v = static_cast<double>(it - out.classes.begin());
    }
    out.y.data<float>()[r] = static_cast<float>(v);
  }
  return out;
}

Tensor load_hdf5_dataset(const std::string& path, const std::string& dataset) {
  return h5::open_file(path).read(dataset);
}

}  // namespace nabla
