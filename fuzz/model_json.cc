// Fuzz target: Keras model JSON (what model.to_json() prints and model_config holds) through
// model_from_json, the summary table and to_json.
#include <sstream>

#include "framework/nabla.h"
#include "fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_discarded() && nabla::fuzz::too_large(j)) return 0;
  nabla::fuzz::expect_clean_errors([&] {
    nabla::Model model = nabla::model_from_json(text);
    std::ostringstream table;
    model.summary(table);
    (void)model.to_json();
  });
  return 0;
}
