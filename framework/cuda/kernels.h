// The CUDA backend's kernel families, registered by the backend when it starts, and the few
// helpers one family lends another or the step runner.
#pragma once

#include <memory>

#include "framework/backend/backend.h"

namespace nabla::cuda {

struct Context;

void register_elementwise_kernels(Backend& b);  // elementwise.cu
void register_activation_kernels(Backend& b);   // activations.cu
void register_misc_kernels(Backend& b);         // misc.cu
void register_matmul_kernels(Backend& b);       // matmul.cu
void register_reduce_kernels(Backend& b);       // reduce.cu
void register_array_kernels(Backend& b);        // array.cu
void register_gather_kernels(Backend& b);       // gather.cu
void register_softmax_kernels(Backend& b);      // softmax.cc
void register_xent_kernels(Backend& b);         // xent.cu
void register_random_kernels(Backend& b);       // random.cu
void register_state_kernels(Backend& b);        // state.cu
void register_collective_kernels(Backend& b);   // collective.cu

/// Fills the output of a kernel call with `value` (Fill, FillLike, ReducedSize).
void fill_on_device(const KernelArgs& args, double value);

/// True when the kernel call draws its random stream from the host-side run counter
/// (KernelArgs::counter) rather than from a step input in device memory: its launches bake in
/// the counter's value, so a plan containing it cannot be replayed from a CUDA Graph.
bool uses_host_counter(const KernelArgs& args);

/// True when the kernel call is a collective that goes through host memory and MPI (no NCCL in
/// the build): it synchronizes the stream, so a plan containing it cannot be captured.
bool runs_collective_on_host(const KernelArgs& args);

/// The step runner of plans on the device of `context` (graph_runner.cc).
std::unique_ptr<StepRunner> make_graph_runner(Context& context);

}  // namespace nabla::cuda
