// Fuzz target: Keras HDF5 files through load_model, load_weights (into Dense(3) on 4 inputs, the
// model of the dense_* fixtures, legacy and Keras 3 layouts) and load_hdf5_dataset (`nabla
// predict --input X.h5 --dataset x`). The input is written to a file on /dev/shm, as loaders
// take paths (fuzz/README.md compares this with an in-memory HDF5 file image).
#include "framework/io/hdf5.h"
#include "framework/nabla.h"
#include "fuzz/fuzz_util.h"

namespace {

// Skips model configs whose layers are legitimately huge (see too_large).
bool config_too_large(const std::string& path) {
  try {
    const nabla::h5::Group root = nabla::h5::open_file(path);
    if (!root.has_attribute("model_config")) return false;
    const nlohmann::json j = nlohmann::json::parse(root.get_string("model_config"), nullptr, false);
    return !j.is_discarded() && nabla::fuzz::too_large(j);
  } catch (const nabla::Error&) {
    return false;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static nabla::Sequential* weights_model = [] {
    auto* m = new nabla::Sequential({nabla::Input({4}), nabla::Dense(3, "relu", "dense")});
    return m;
  }();
  const std::string path = nabla::fuzz::write_input(data, size, ".h5");
  if (config_too_large(path)) return 0;
  nabla::fuzz::expect_clean_errors([&] {
    nabla::Model model = nabla::load_model(path);
    (void)model.summary();
  });
  nabla::fuzz::expect_clean_errors([&] { weights_model->load_weights(path); });
  nabla::fuzz::expect_clean_errors([&] { (void)nabla::load_hdf5_dataset(path, "x"); });
  return 0;
}
