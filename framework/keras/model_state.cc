#include "framework/keras/model_state.h"

#include <algorithm>

#include "framework/core/errors.h"
#include "framework/keras/train_step.h"

namespace nabla::detail {
namespace {

// One lock for the guards' check-then-mark steps; the calls themselves run unlocked.
std::mutex& guard_mutex() {
  static std::mutex m;
  return m;
}

// Refuses `what` while another thread changes the model (ChangeGuard).
void check_not_changing(const ModelState& state, const char* what) {
  if (state.changing && state.change_thread != std::this_thread::get_id())
    throw StateError(std::string(what) + ": model '" + state.name +
                     "' is being changed (compiled, built or moved) on another thread");
}

}  // namespace

TrainStep& ModelState::ensure_step(Model& self, const std::vector<Shape>& data_shapes) {
  if (!optimizer)
    throw StateError("model '" + name +
                     "' is not compiled: call compile(optimizer, loss, metrics) first");
  std::lock_guard<std::mutex> lock(step_mutex);
  build_architecture(data_shapes);
  if (!step) {
    std::vector<int64_t> widths;
    for (const Shape& s : arch->output_shapes()) widths.push_back(s.rank() ? s.dim(-1) : 1);
    resolve_compile(arch->output_names(), widths);
    step = TrainStep::build(self, device);
  }
  return *step;
}

TrainStep& ModelState::ensure_predict_step(Model& self, const std::vector<Shape>& data_shapes) {
  if (optimizer) return ensure_step(self, data_shapes);
  std::lock_guard<std::mutex> lock(step_mutex);
  build_architecture(data_shapes);
  if (!inference_step) inference_step = TrainStep::build_inference(self, device);
  return *inference_step;
}

void ModelState::build_architecture(const std::vector<Shape>& data_shapes) {
  if (arch->built()) return;
  if (data_shapes.empty() || data_shapes[0].rank() < 1)
    throw ShapeError("model '" + name + "' needs data with a batch axis");
  arch->build(data_shapes);
}

void ModelState::resolve_compile(const std::vector<std::string>& names,
                                 const std::vector<int64_t>& widths) {
  auto check_names = [&](const auto& by_name, const char* what) {
    for (const auto& [name, value] : by_name)
      if (std::find(names.begin(), names.end(), name) == names.end())
        throw ValueError(std::string("compile: ") + what + " names output '" + name +
                         "', which model '" + this->name + "' does not have" +
                         did_you_mean(name, names));
  };
  check_names(output_losses, "a loss");
  check_names(loss_weights, "a loss weight");
  check_names(output_metric_refs, "a metric");
  losses.clear(), weights.clear(), metrics.clear(), metric_outputs.clear(), metric_names.clear();
  const bool several = names.size() > 1;
  for (const MetricRef& ref : metric_refs)
    if (several && ref.is_object())
      throw ValueError("compile: a metric object given for every output of model '" + this->name +
                       "' would add up all of them; give it per output, by output name");
  for (size_t o = 0; o < names.size(); ++o) {
    auto it = output_losses.find(names[o]);
    LossPtr l = it != output_losses.end() ? it->second : loss;
    if (!l)
      throw ValueError("compile: output '" + names[o] + "' of model '" + this->name +
                       "' has no loss");
    losses.push_back(l);
    auto w = loss_weights.find(names[o]);
    weights.push_back(w != loss_weights.end() ? w->second : 1.0);
    std::vector<MetricRef> refs = metric_refs;
    if (auto m = output_metric_refs.find(names[o]); m != output_metric_refs.end())
      refs.insert(refs.end(), m->second.begin(), m->second.end());
    for (const MetricRef& ref : refs) {
      MetricPtr m = ref.resolve(l.get(), widths[o]);
      metrics.push_back(m);
      metric_outputs.push_back(static_cast<int>(o));
      metric_names.push_back(several ? names[o] + "_" + m->name() : m->name());
    }
  }
}

void ModelState::invalidate_step() {
  std::lock_guard<std::mutex> lock(step_mutex);
  step.reset();
  inference_step.reset();
}

UseGuard::UseGuard(ModelState& state, const char* what) : state_(state), counted_(false) {
  std::lock_guard<std::mutex> lock(guard_mutex());
  check_not_changing(state, what);
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
  check_not_changing(state, "fit");
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

ChangeGuard::ChangeGuard(ModelState& state, const char* what) : state_(state) {
  std::lock_guard<std::mutex> lock(guard_mutex());
  check_not_changing(state, what);
  if (state.fitting)
    throw StateError(std::string(what) + ": model '" + state.name +
                     "' is being trained by fit(), whose compiled step this would drop; change "
                     "it before or after fit");
  if (state.users > 0)
    throw StateError(std::string(what) + ": model '" + state.name +
                     "' is running predict() or evaluate(), whose compiled step this would "
                     "drop; change it before or after them");
  ++state.changing;
  state.change_thread = std::this_thread::get_id();
}

ChangeGuard::~ChangeGuard() {
  std::lock_guard<std::mutex> lock(guard_mutex());
  --state_.changing;
}

}  // namespace nabla::detail
