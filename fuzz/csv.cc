// Fuzz target: read_csv and csv_features_labels with the label column given by name, by index,
// as the last column, and absent (what `nabla predict --input X.csv` does), with and without
// allow_non_finite.
#include "framework/nabla.h"
#include "fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = nabla::fuzz::write_input(data, size, ".csv");
  nabla::fuzz::expect_clean_errors([&] {
    const nabla::CsvTable table = nabla::read_csv(path);
    const std::string first = table.header.empty() ? std::string() : table.header[0];
    for (const std::string& label : {std::string(), std::string("-1"), std::string("1"), first})
      for (const bool allow : {false, true})
        nabla::fuzz::expect_clean_errors([&] {
          (void)nabla::csv_features_labels(table, path, label, nullptr,
                                           nabla::CsvOptions().allow_non_finite(allow));
        });
  });
  return 0;
}
