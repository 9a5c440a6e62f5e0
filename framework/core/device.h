// Where a tensor lives and where kernels run.
#pragma once

#include <string>

namespace nabla {

enum class DeviceType : unsigned char { CPU, CUDA };

/// A device: the CPU, or one CUDA GPU. `Device::CPU` and `Device::CUDA(0)` name them; a
/// Session, a model (`compile(..., device)`, `model.to(device)`) and the CLI choose one.
class Device {
 public:
  /// The host CPU (all its cores, through nabla's thread pool).
  static const Device CPU;
  /// CUDA GPU number `index`. Creating the value needs no GPU; running on it does.
  static Device CUDA(int index = 0) { return Device(DeviceType::CUDA, index); }
  /// Parses "cpu", "cuda" or "cuda:N"; throws ValueError otherwise.
  static Device parse(const std::string& text);

  constexpr Device() = default;
  DeviceType type() const { return type_; }
  int index() const { return index_; }
  bool is_cpu() const { return type_ == DeviceType::CPU; }
  bool is_cuda() const { return type_ == DeviceType::CUDA; }
  /// "cpu" or "cuda:0".
  std::string to_string() const;

  bool operator==(const Device& o) const { return type_ == o.type_ && index_ == o.index_; }
  bool operator!=(const Device& o) const { return !(*this == o); }

 private:
  constexpr Device(DeviceType type, int index) : type_(type), index_(index) {}
  DeviceType type_ = DeviceType::CPU;
  int index_ = 0;
};

}  // namespace nabla
