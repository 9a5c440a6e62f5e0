// Fuzz target: graph_from_json (the graph export format of framework/io/graph_io.h) and the
// JSON and DOT export of what it rebuilt.
#include "framework/nabla.h"
#include "fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_discarded() && nabla::fuzz::too_large(j)) return 0;
  nabla::fuzz::expect_clean_errors([&] {
    std::unique_ptr<nabla::Graph> g = nabla::graph_from_json(text);
    (void)nabla::graph_to_json(*g);
    (void)nabla::graph_to_dot(*g);
  });
  return 0;
}
