#include "framework/core/device.h"

#include "framework/core/errors.h"

namespace nabla {

const Device Device::CPU{};

Device Device::parse(const std::string& text) {
  if (text == "cpu" || text == "CPU") return CPU;
  if (text == "cuda" || text == "gpu" || text == "CUDA") return CUDA(0);
  if (text.rfind("cuda:", 0) == 0) {
    try {
      size_t used = 0;
      int index = std::stoi(text.substr(5), &used);
      if (used == text.size() - 5 && index >= 0) return CUDA(index);
    } catch (const std::exception&) {
    }
  }
  throw ValueError("unknown device '" + text + "': expected 'cpu', 'cuda' or 'cuda:N'");
}

std::string Device::to_string() const {
  return is_cpu() ? "cpu" : "cuda:" + std::to_string(index_);
}

}  // namespace nabla
