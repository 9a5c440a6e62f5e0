// The CUDA step runner: runs a plan's kernels once plainly, captures them into a CUDA Graph on
// the second run, and replays the graph from then on, so a training step costs one launch
// instead of one per op.
//
// A replay repeats exactly the launches captured: the same device pointers and the same values
// decided on the host. That holds for a plan: its buffers (feeds, arena, variables) stay put,
// feeds are written into them before run(), shapes and attributes are fixed, and the values that
// change per step (learning rate, iteration count, step of a dropout mask) are read by the
// kernels from device memory. A plan is not captured when a step takes its random stream from
// the host-side run counter, when a collective goes through host memory (no NCCL), or when
// capturing fails (a library call that cannot be captured):
// it then runs plainly every time. NABLA_CUDA_GRAPHS=0 turns capture off.
#include <cstdlib>
#include <cstring>

#include "framework/cuda/context.h"
#include "framework/cuda/device_error.h"
#include "framework/cuda/kernels.h"

namespace nabla::cuda {
namespace {

bool graphs_enabled() {
  const char* v = std::getenv("NABLA_CUDA_GRAPHS");
  return !(v && std::strcmp(v, "0") == 0);
}

void launch_all(std::vector<KernelArgs>& steps, const std::vector<KernelFn>& kernels) {
  for (size_t i = 0; i < steps.size(); ++i) kernels[i](steps[i]);
}

class GraphRunner : public StepRunner {
 public:
  explicit GraphRunner(Context& context) : ctx_(context) {}
  ~GraphRunner() override {
    if (exec_) cudaGraphExecDestroy(exec_);
  }

  // A replayed graph keeps the addresses it was captured with.
  bool follows_addresses() const override { return false; }

  // Steps run in order on one stream; beside_next is a CPU matter (cuBLAS uses the whole GPU).
  void run(std::vector<KernelArgs>& steps, const std::vector<KernelFn>& kernels,
           const std::vector<uint8_t>&) override {
    use_device(ctx_.device);
    if (state_ == State::New) {
      bool capturable = graphs_enabled() && !steps.empty();
      for (const KernelArgs& s : steps)
        capturable = capturable && !uses_host_counter(s) && !runs_collective_on_host(s);
      state_ = capturable ? State::WarmUp : State::Plain;
    }
    switch (state_) {
      case State::New:
      case State::Plain:
        launch_all(steps, kernels);
        break;
      case State::WarmUp:
        // The first run loads the libraries' kernels and sets up their state (which capture
        // does not allow) and shows that every step's host-side checks pass.
        launch_all(steps, kernels);
        state_ = State::Capture;
        break;
      case State::Capture:
        if (!capture(steps, kernels)) {
          state_ = State::Plain;
          launch_all(steps, kernels);
          break;
        }
        state_ = State::Replay;
        [[fallthrough]];  // capturing ran nothing: launch the graph for this run
      case State::Replay:
        NABLA_CUDA_CHECK(cudaGraphLaunch(exec_, ctx_.stream), nullptr);
        break;
    }
    NABLA_CUDA_CHECK(cudaStreamSynchronize(ctx_.stream), nullptr);  // fetches are read next
    throw_reported_error(ctx_.errors);
  }

 private:
  enum class State { New, Plain, WarmUp, Capture, Replay };

  // Records the steps into exec_; false when something in them cannot be captured.
  bool capture(std::vector<KernelArgs>& steps, const std::vector<KernelFn>& kernels) {
    NABLA_CUDA_CHECK(cudaStreamBeginCapture(ctx_.stream, cudaStreamCaptureModeThreadLocal),
                     nullptr);
    bool launched = true;
    try {
      launch_all(steps, kernels);
    } catch (const std::exception&) {
      launched = false;  // the plain run that follows raises it again if it is real
    }
    cudaGraph_t graph = nullptr;
    const cudaError_t ended = cudaStreamEndCapture(ctx_.stream, &graph);
    bool ok = launched && ended == cudaSuccess && graph;
    if (ok) ok = cudaGraphInstantiate(&exec_, graph, 0) == cudaSuccess;
    if (graph) cudaGraphDestroy(graph);
    if (!ok) {
      cudaGetLastError();  // a failed capture leaves an error behind; later launches must not see
                           // it
      exec_ = nullptr;
    }
    return ok;
  }

  Context& ctx_;
  State state_ = State::New;
  cudaGraphExec_t exec_ = nullptr;
};

}  // namespace

std::unique_ptr<StepRunner> make_graph_runner(Context& context) {
  return std::make_unique<GraphRunner>(context);
}

}  // namespace nabla::cuda
