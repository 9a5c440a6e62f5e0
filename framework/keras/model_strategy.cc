// Model's data-parallel strategy: compile(..., strategy), strategy(), set_strategy().
#include "framework/keras/model.h"
#include "framework/keras/model_state.h"

namespace nabla {

void Model::compile(OptimizerRef optimizer, LossRef loss, std::vector<MetricRef> metrics,
                    const distributed::Strategy& strategy, Device device) {
  detail::ChangeGuard change(state(), "compile");
  compile(std::move(optimizer), std::move(loss), std::move(metrics), strategy.device_for(device));
  set_strategy(strategy);
}

const distributed::Strategy& Model::strategy() const {
  return state().strategy;
}

void Model::set_strategy(const distributed::Strategy& strategy) {
  detail::ModelState& s = state();
  detail::ChangeGuard change(s, "set_strategy");
  const bool same = &s.strategy.communicator() == &strategy.communicator() &&
                    s.strategy.bucket_bytes() == strategy.bucket_bytes();
  s.strategy = strategy;
  const Device device = strategy.device_for(s.device);
  if (device != s.device) to(device);  // a GPU of this rank's own
  if (!same) s.invalidate_step();
}

}  // namespace nabla
