// Reading data sets from files: IDX (MNIST / Fashion-MNIST, gzip or raw), NumPy .npy, CSV and
// HDF5 datasets. Every error names the file (and the line or dataset).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "framework/core/options.h"
#include "framework/core/tensor.h"

namespace nabla {

/// An IDX file (as MNIST ships; gzip-compressed or raw) as a tensor of its dims, converted to
/// float32 (images) or int32 (labels) by `dtype`.
Tensor load_idx(const std::string& path, DType dtype = DType::Float32);

/// A NumPy .npy file (little-endian float32/float64, int8-64, uint8-64 or bool, C order)
/// converted to `dtype` (float32, float64, int32 or int64) as TensorFlow's saturating cast does:
/// NaN becomes 0 and values beyond an integer type's range its min or max. The header's sizes
/// are checked against the file before anything is allocated.
Tensor load_npy(const std::string& path, DType dtype = DType::Float32);
/// Writes a float32 tensor as .npy.
void save_npy(const std::string& path, const Tensor& t);

/// One numeric dataset of an HDF5 file as float32.
Tensor load_hdf5_dataset(const std::string& path, const std::string& dataset);

/// A CSV table: a header row, then rows of numbers.
struct CsvTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  /// The file line of each row (1-based, blank lines counted), for messages.
  std::vector<size_t> lines;
};
/// Reads a CSV file (comma-separated, optional double quotes, a header row; blank lines and a
/// UTF-8 byte-order mark are skipped).
CsvTable read_csv(const std::string& path);

/// Features and labels from a CSV table.
struct LabeledData {
  Tensor x;  // float32 [rows, features]
  Tensor y;  // float32 [rows] (numeric labels or class indices); undefined without a label column
  /// When the labels were strings: the class names in sorted order (index = class).
  std::vector<std::string> classes;
  std::vector<std::string> feature_names;
};

/// How csv_features_labels reads numbers.
struct CsvOptions {
  /// Accept NaN, infinities and decimals beyond float32's range (as +-inf) in features and
  /// numeric labels. By default they are a ValueError naming the file, line and column, as is
  /// anything but a plain decimal number (hexadecimal "0x1A" always is).
  NABLA_ARG(bool, allow_non_finite) = false;
};

/// Splits a CSV table into features (every column but the label) and labels. `label` names the
/// column or gives its index ("4", or "-1" for the last); empty: no labels. `classes`, when given,
/// fixes the string-label order (so test data uses the training data's indices); a label outside
/// it is a ValueError naming the line.
LabeledData csv_features_labels(const CsvTable& table, const std::string& path,
                                const std::string& label,
                                const std::vector<std::string>* classes = nullptr,
                                const CsvOptions& options = {});

}  // namespace nabla
