// CSV tables and HDF5 datasets.
#include <algorithm>
#include <cmath>
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

bool parse_number(const std::string& s, double* out) {
  if (s.empty()) return false;
  char* end = nullptr;
  *out = std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size();
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
  }
  if (t.header.empty()) throw IOError("CSV file '" + path + "' is empty");
  return t;
}

LabeledData csv_features_labels(const CsvTable& table, const std::string& path,
                                const std::string& label, const std::vector<std::string>* classes) {
  const int64_t cols = static_cast<int64_t>(table.header.size());
  int64_t label_col = -1;
  if (!label.empty()) {
    auto it = std::find(table.header.begin(), table.header.end(), label);
    double index;
    if (it != table.header.end()) {
      label_col = it - table.header.begin();
    } else if (parse_number(label, &index) && index == std::floor(index) && index >= -cols &&
               index < cols) {
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
  // Labels: numbers when every label parses, else class names (sorted) mapped to indices.
  bool numeric = label_col >= 0 && !classes;
  for (int64_t r = 0; numeric && r < rows; ++r) {
    double v;
    numeric = parse_number(table.rows[r][label_col], &v);
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
      double v;
      if (!parse_number(row[c], &v))
        throw ValueError("'" + path + "' line " + std::to_string(r + 2) + ", column '" +
                         table.header[c] + "': '" + row[c] + "' is not a number");
      x[r * features + f++] = static_cast<float>(v);
    }
    if (label_col < 0) continue;
    double v = 0;
    if (numeric) {
      parse_number(row[label_col], &v);
    } else {
      auto it = std::find(out.classes.begin(), out.classes.end(), row[label_col]);
      if (it == out.classes.end())
        throw ValueError("'" + path + "' line " + std::to_string(r + 2) + ": label '" +
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
