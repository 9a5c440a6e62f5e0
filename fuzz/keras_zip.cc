// Fuzz target: .keras archives through the bounded zip reader (framework/io/zip_archive.h):
// the central directory, every member read (inflated and CRC-checked) under limits small enough
// for a fuzzer, a config.json member through model_from_json, then the whole archive through
// load_model (framework/keras/keras_archive.h: config, metadata and the model.weights.h5 member).
#include "framework/io/zip_archive.h"
#include "framework/nabla.h"
#include "fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = nabla::fuzz::write_input(data, size, ".keras");
  // A declared size over these limits must be refused before anything is inflated; the fuzzer's
  // memory limit (scripts/fuzz.sh) catches a reader that inflates past them anyway.
  const nabla::ZipLimits limits =
      nabla::ZipLimits().max_member_size(64 << 20).max_total_size(256 << 20).max_members(4096);
  nabla::fuzz::expect_clean_errors([&] {
    nabla::ZipReader zip(path, limits);
    for (const nabla::ZipEntry& e : zip.entries())
      nabla::fuzz::expect_clean_errors([&] {
        const std::string bytes = zip.read(e.name);
        if (e.name != "config.json") return;
        const nlohmann::json j = nlohmann::json::parse(bytes, nullptr, false);
        if (j.is_discarded() || nabla::fuzz::too_large(j)) return;
        nabla::Model model = nabla::model_from_json(bytes);
        (void)model.to_json();
      });
  });
  nabla::fuzz::expect_clean_errors([&] {
    nabla::ZipReader zip(path, limits);  // the archive's config: skipped when its model is huge
    const nlohmann::json j = nlohmann::json::parse(zip.read("config.json"), nullptr, false);
    if (j.is_discarded() || nabla::fuzz::too_large(j)) return;
    nabla::Model model = nabla::load_model(path);
    (void)model.to_json();
  });
  return 0;
}
