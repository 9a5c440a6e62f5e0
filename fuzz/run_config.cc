// Fuzz target: the `nabla train` run config (apps/nabla/run_config.cc) as load_config reads it:
// JSON, then every key checked, layers, optimizer, loss and metrics made. The input is written
// as config.json into a scratch folder whose data/ holds (empty) files of the names the shipped
// configs use, so that their relative data paths resolve and the checks after them run too.
#include <filesystem>
#include <fstream>

#include "apps/nabla/run_config.h"
#include "fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace fs = std::filesystem;
  static const fs::path dir = [] {
    const fs::path d = nabla::fuzz::scratch_path("_run_config");
    fs::create_directories(d / "data");
    for (const char* f : {"iris_train.csv", "iris_test.csv", "xor.csv", "diabetes.csv"})
      std::ofstream(d / "data" / f) << "x,y\n1,0\n";
    return d;
  }();
  const nlohmann::json j = nlohmann::json::parse(data, data + size, nullptr, false);
  if (!j.is_discarded() && nabla::fuzz::too_large(j)) return 0;
  const fs::path path = dir / "config.json";
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  nabla::fuzz::expect_clean_errors([&] {
    try {
      nabla::cli::load_config(path.string());
    } catch (const nabla::cli::ConfigError&) {
    }
  });
  return 0;
}
