// Sequential::summary: Keras's table of layers, output shapes and parameter counts.
#include <iomanip>
#include <sstream>

#include "framework/keras/sequential.h"
#include "layers/input_layer.h"

namespace nabla {
namespace {

std::string thousands(int64_t n) {
  std::string s = std::to_string(n), out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i && (s.size() - i) % 3 == 0) out += ',';
    out += s[i];
  }
  return out;
}

std::string cell(const std::string& text, size_t width) {
  return text.size() >= width ? text + " " : text + std::string(width - text.size(), ' ');
}

}  // namespace

void Sequential::summary(std::ostream& os) const {
  const size_t w1 = 29, w2 = 26, w3 = 10, total = 65;
  os << "Model: \"" << name_ << "\"\n" << std::string(total, '_') << "\n";
  os << " " << cell("Layer (type)", w1 - 1) << cell("Output Shape", w2) << cell("Param #", w3)
     << "\n";
  os << std::string(total, '=') << "\n";
  Shape shape = built_ ? input_shape_ : Shape();
  std::vector<LayerPtr> shown;  // Keras leaves the InputLayer out of the table
  for (const LayerPtr& l : layers_)
    if (!dynamic_cast<const InputLayer*>(l.get())) shown.push_back(l);
  for (size_t i = 0; i < shown.size(); ++i) {
    const LayerPtr& l = shown[i];
    std::string out = "?";
    if (built_) {
      shape = l->compute_output_shape(shape);
      out = shape.to_string();
    }
    os << " " << cell(l->name() + " (" + l->class_name() + ")", w1 - 1) << cell(out, w2)
       << cell(thousands(l->count_params()), w3) << "\n";
    if (i + 1 < shown.size()) os << std::string(total, ' ') << "\n";
  }
  os << std::string(total, '=') << "\n";
  int64_t trainable = 0, all = count_params();
  for (const Variable& v : trainable_weights()) trainable += v.shape().numel();
  os << "Total params: " << thousands(all) << "\n";
  os << "Trainable params: " << thousands(trainable) << "\n";
  os << "Non-trainable params: " << thousands(all - trainable) << "\n";
  os << std::string(total, '_') << "\n";
}

std::string Sequential::summary() const {
  std::ostringstream os;
  summary(os);
  return os.str();
}

}  // namespace nabla
