// Model::summary: the title, the model kind's table of layers, and the parameter totals.
#include <ostream>

#include "framework/keras/model.h"
#include "framework/keras/model_state.h"
#include "framework/keras/summary_table.h"

namespace nabla {

void Model::summary(std::ostream& os) const {
  const size_t kWidth = state().arch->summary_width();
  os << "Model: \"" << name() << "\"\n" << std::string(kWidth, '_') << "\n";
  state().arch->summary_rows(os);
  os << std::string(kWidth, '=') << "\n";
  int64_t trainable = 0;
  const int64_t all = count_params();
  for (const Variable& v : trainable_weights()) trainable += v.shape().numel();
  os << "Total params: " << SummaryTable::thousands(all) << "\n";
  os << "Trainable params: " << SummaryTable::thousands(trainable) << "\n";
  os << "Non-trainable params: " << SummaryTable::thousands(all - trainable) << "\n";
  os << std::string(kWidth, '_') << "\n";
}

}  // namespace nabla
