// Fuzz target: load_idx on raw and gzip-compressed IDX files (zlib reads both).
#include "framework/nabla.h"
#include "fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = nabla::fuzz::write_input(data, size, ".idx");
  for (nabla::DType dtype : {nabla::DType::Float32, nabla::DType::Int32})
    nabla::fuzz::expect_clean_errors([&] { (void)nabla::load_idx(path, dtype); });
  return 0;
}
