#include "framework/keras/model_state.h"

#include "framework/core/errors.h"
#include "framework/keras/train_step.h"

namespace nabla::detail {
namespace {

// One lock for the guards' check-then-mark steps; the calls themselves run unlocked.
std::mutex& guard_mutex() {
  static std::mutex m;
  return m;
}

}  // namespace

TrainStep& ModelState::ensure_step(Model& self, const std::vector<Shape>& data_shapes) {
  if (!optimizer)
    throw StateError("model '" + name +
                     "' is not compiled: call compile(optimizer, loss, metrics) first");
  std::lock_guard<std::mutex> lock(step_mutex);
  if (!arch->built()) {
    if (data_shapes.empty() || data_shapes[0].rank() < 1)
      throw ShapeError("model '" + name + "' needs data with a batch axis");
    arch->build(data_shapes);
  }
  if (!step) {
    const std::vector<Shape> outputs = arch->output_shapes();
    const int64_t out_dim = outputs[0].rank() ? outputs[0].dim(-1) : 1;
    metrics.clear();
    for (const MetricRef& m : metric_refs) metrics.push_back(m.resolve(loss.get(), out_dim));
    step = TrainStep::build(self, device);
  }
  return *step;
}

void ModelState::invalidate_step() {
  std::lock_guard<std::mutex> lock(step_mutex);
  step.reset();
}

UseGuard::UseGuard(ModelState& state, const char* what) : state_(state), counted_(false) {
  std::lock_guard<std::mutex> lock(guard_mutex());
  if (state.fitting && state.fit_thread != std::this_thread::get_id())
    throw StateError(std::string(what) + ": model '" + state.name +
                     "' is being trained by fit() on another thread, which updates its weights "
                     "in place; wait for fit to return, or use a copy of the model");
  ++state.users;
  counted_ = true;
}

UseGuard::~UseGuard() {
  if (counted_) --state_.users;
}

FitGuard::FitGuard(ModelState& state) : state_(state) {
  std::lock_guard<std::mutex> lock(guard_mutex());
  if (state.fitting)
    throw StateError("fit: model '" + state.name + "' is already being trained by fit()");
  if (state.users > 0)
    throw StateError("fit: model '" + state.name +
                     "' is running predict() or evaluate() on another thread; fit would change "
                     "its weights under them");
  state.fitting = true;
  state.fit_thread = std::this_thread::get_id();
}

FitGuard::~FitGuard() {
  std::lock_guard<std::mutex> lock(guard_mutex());
  state_.fitting = false;
}

}  // namespace nabla::detail
