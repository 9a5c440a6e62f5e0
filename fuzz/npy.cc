// Fuzz target: load_npy, as float32 and as int32 (the conversion must be defined for any value).
#include "framework/nabla.h"
#include "fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = nabla::fuzz::write_input(data, size, ".npy");
  for (nabla::DType dtype : {nabla::DType::Float32, nabla::DType::Int32})
    nabla::fuzz::expect_clean_errors([&] { (void)nabla::load_npy(path, dtype); });
  return 0;
}
