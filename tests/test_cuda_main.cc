// The CUDA tests' main: where no GPU can be used it says why once, runs the test cases that need
// none (doctest reports the others as skipped) and exits with 77, which CTest shows as
// "Skipped". Also the test, run everywhere, that asking for a GPU that is not there is a clear
// error rather than a crash.
#define DOCTEST_CONFIG_IMPLEMENT
#include <cstdio>

#include "cuda_test_util.h"

using namespace nabla;
using namespace nabla::testing;

namespace {

// Device 63: never there, with or without a GPU (and device 0 too where there is none).
Device absent_device() {
  return cuda_available() ? Device::CUDA(63) : Device::CUDA(0);
}

void check_clear_error(const Error& e, const Device& device) {
  const std::string message = e.what();
  CAPTURE(message);
  CHECK(message.find(device.to_string()) != std::string::npos);
  CHECK(message.find("not available") != std::string::npos);
}

}  // namespace

TEST_CASE("asking for a CUDA device that is not there gives a clear error, not a crash") {
  const Device device = absent_device();
  std::string reason;
  CHECK_FALSE(device_available(device, &reason));
  CHECK(reason.find(device.to_string()) != std::string::npos);

  // The same error from every way of reaching the device: a backend, a session, a tensor, a model.
  try {
    backend_for(device);
    FAIL("backend_for did not throw");
  } catch (const Error& e) {
    check_clear_error(e, device);
  }
  Graph g;
  CHECK_THROWS_AS(Session(g, device), Error);
  CHECK_THROWS_AS(Tensor::ones({2, 2}).to(device), Error);
  Sequential model({Input({2}), Dense(1)});
  try {
    model.compile("sgd", "mse", {}, device);
    model.fit(Tensor::ones({4, 2}), Tensor::ones({4, 1}), FitOptions().verbose(0));
    FAIL("training on an absent device did not throw");
  } catch (const Error& e) {
    check_clear_error(e, device);
  }
  // The CPU still works afterwards.
  CHECK(reduce_sum(Tensor::ones({3})).item<float>() == 3.f);
}

int main(int argc, char** argv) {
  doctest::Context context(argc, argv);
  const bool gpu = cuda_available();
  if (!gpu)
    std::printf("[test_cuda] skipped: no CUDA device: %s\n", cuda_unavailable_reason().c_str());
  const int result = context.run();
  if (context.shouldExit() || result != 0) return result;
  return gpu ? 0 : 77;  // 77: CTest's SKIP_RETURN_CODE (tests/CMakeLists.txt)
}
