// Data-parallel training across processes and machines: who this process is in its job, and the
// collectives on eager tensors that a custom training loop needs (the Horovod pattern):
//
//     distributed::broadcast_variables(model.weights());            // same start everywhere
//     for (auto [xb, yb] : my_shard_of_the_batches) {
//       GradientTape tape;
//       Tensor loss = loss_fn(yb, model(xb, /*training=*/true));
//       TensorList grads = tape.gradient(loss, model.trainable_weights());
//       distributed::all_reduce(grads);                             // the mean over all ranks
//       optimizer.apply_gradients(grads, model.trainable_weights());
//     }
//
// Run under `mpirun -np N program`; alone, the world has one rank and every collective returns
// at once. See docs/distributed.md.
#pragma once

#include <exception>
#include <string>
#include <utility>

#include "framework/core/tensor.h"
#include "framework/distributed/communicator.h"
#include "framework/graph/variable.h"

namespace nabla::distributed {

/// True when this build of nabla has MPI (CMake option NABLA_MPI found it).
bool built_with_mpi();
/// True when a launcher (mpirun, srun) started this process, or NABLA_DISTRIBUTED=1 asks for MPI
/// (false with NABLA_DISTRIBUTED=0): what a program checks to train data-parallel by itself, as
/// `nabla train` does. Reads the environment only; MPI is not initialised.
bool started_by_launcher();
/// How to get a distributed build and run: the Debian packages, the CMake option, mpirun.
std::string how_to_enable();

/// The communicator of this process's job, made on first use: MPI when a launcher (mpirun, srun)
/// started the process or NABLA_DISTRIBUTED=1, otherwise (or with NABLA_DISTRIBUTED=0, or in a
/// build without MPI) a world of one. Initialises MPI on first use.
Communicator& world();

/// This process's rank in world(), 0 .. world_size() - 1.
int rank();
/// Number of processes in world().
int world_size();
/// This process's index among the ranks on its machine (which GPU it uses).
int local_rank();
/// Number of ranks on this machine.
int local_size();
/// True when world_size() > 1.
bool is_distributed();
/// True on rank 0, the one that prints progress and writes files.
bool is_chief();

/// Replaces each eager tensor's value, in place, by the sum or mean over all ranks. Undefined
/// tensors (the gradient of an unconnected variable) are skipped, on every rank alike. Tensors
/// are fused into buckets (few collectives for many small tensors); CUDA tensors go through NCCL
/// where the build has it, else through host memory. Throws before communicating for a symbolic
/// tensor, a bool tensor, or Average of an integer tensor. Every rank passes tensors of the same
/// shapes and dtypes in the same order.
void all_reduce(TensorList& tensors, Reduce reduce = Reduce::Average);
/// One tensor.
void all_reduce(Tensor& tensor, Reduce reduce = Reduce::Average);
/// Replaces each eager tensor's value, in place, by rank `root`'s.
void broadcast(TensorList& tensors, int root = 0);
/// Sets every variable to rank `root`'s value (initial weights, optimizer state after loading a
/// checkpoint on one rank). StateError naming a variable that is not initialised.
void broadcast_variables(const VariableList& variables, int root = 0);
/// Returns when every rank has called it.
void barrier();

/// Ends the whole job: "rank R failed: <what>" on stderr and a non-zero exit on every rank
/// within seconds. In a single process: "error: <what>" and exit status 1.
[[noreturn]] void fail(const std::string& what);

/// Runs `body()` and returns its result. While distributed, an exception escaping it ends the
/// whole job at once (fail(e.what())), since peers waiting in a collective could never learn of
/// it; alone, the exception propagates as usual. Wrap a program's main work in it:
///
///     int main() { return distributed::run_or_abort([&] { train(); return 0; }); }
template <class F>
decltype(auto) run_or_abort(F&& body) {
  if (!is_distributed()) return std::forward<F>(body)();
  try {
    return std::forward<F>(body)();
  } catch (const std::exception& e) {
    fail(e.what());
  } catch (...) {
    fail("an exception of unknown type");
  }
}

}  // namespace nabla::distributed
