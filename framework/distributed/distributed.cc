#include "framework/distributed/distributed.h"

#include <cstdlib>
#include <vector>

#include "framework/core/errors.h"
#include "framework/distributed/bucketed_all_reduce.h"
#include "framework/distributed/device_communicator.h"
#include "framework/distributed/launch.h"
#include "framework/distributed/mpi_communicator.h"
#include "framework/distributed/single_process.h"

namespace nabla::distributed {
namespace {

Communicator* make_world() {
  const LaunchInfo launch = detect_launch();
  if (launch.distributed && built_with_mpi()) return make_mpi_communicator();
  static SingleProcessCommunicator single;
  return &single;
}

// The eager tensors of `tensors` (undefined ones skipped); throws for anything else before any
// communication, so every rank fails alike.
std::vector<Tensor> eager_values(const TensorList& tensors, const char* what) {
  std::vector<Tensor> out;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    if (!t.defined()) continue;
    if (!t.is_eager())
      throw ValueError(std::string(what) + ": tensor " + std::to_string(i) + " ('" + t.name() +
                       "') is symbolic; collectives take eager values (run it in a Session first)");
    if (t.dtype() == DType::Bool)
      throw TypeError(std::string(what) + ": tensor " + std::to_string(i) +
                      " holds bool values (float32, float64, int32 or int64)");
    out.push_back(t);
  }
  return out;
}

// The one device of the non-CPU tensors (ranks each use their own GPU, so devices are matched by
// kind, never by index).
Device accelerator_of(const std::vector<Tensor>& tensors, const char* what) {
  Device found = Device::CPU;
  for (const Tensor& t : tensors) {
    if (t.device().is_cpu()) continue;
    if (!found.is_cpu() && found != t.device())
      throw ValueError(std::string(what) + ": tensors on both " + found.to_string() + " and " +
                       t.device().to_string() + "; a rank uses one device");
    found = t.device();
  }
  return found;
}

}  // namespace

std::string how_to_enable() {
  return "install Open MPI (apt-get install libopenmpi-dev openmpi-bin), rebuild nabla (cmake "
         "-DNABLA_MPI=ON; scripts/build.sh finds it by itself), and start the job with mpirun, "
         "e.g. mpirun -np 2 nabla train config.json";
}

bool started_by_launcher() {
  return detect_launch().distributed;
}

Communicator& world() {
  static Communicator* const comm = make_world();
  return *comm;
}

int rank() {
  return world().rank();
}
int world_size() {
  return world().size();
}
int local_rank() {
  return world().local_rank();
}
int local_size() {
  return world().local_size();
}
bool is_distributed() {
  return world().size() > 1;
}
bool is_chief() {
  return world().rank() == 0;
}

void all_reduce(TensorList& tensors, Reduce reduce) {
  const std::vector<Tensor> values = eager_values(tensors, "all_reduce");
  for (const Tensor& t : values)
    if (reduce == Reduce::Average && !is_floating(t.dtype()))
      throw TypeError("all_reduce: Average of a " + std::string(dtype_name(t.dtype())) +
                      " tensor (use Reduce::Sum)");
  const Device accelerator = accelerator_of(values, "all_reduce");
  Communicator& comm = world();
  if (comm.size() == 1) return;
  // CPU tensors first, then the device's, so every rank starts the same collectives in order.
  for (const bool on_cpu : {true, false}) {
    std::vector<GradientBuffer> buffers;
    for (const Tensor& t : values)
      if (t.device().is_cpu() == on_cpu) buffers.push_back({t.raw_data(), t.numel(), t.dtype()});
    if (buffers.empty()) continue;
    const Device device = on_cpu ? Device::CPU : accelerator;
    DeviceCommunicator* dev = on_cpu ? nullptr : device_communicator(device);
    BucketedAllReduce reducer(
        comm, std::move(buffers),
        BucketOptions().bucket_bytes(default_bucket_bytes()).reduce(reduce).device(device), dev);
    reducer.wait_all();
  }
}

void all_reduce(Tensor& tensor, Reduce reduce) {
  TensorList one{tensor};
  all_reduce(one, reduce);
}

void broadcast(TensorList& tensors, int root) {
  const std::vector<Tensor> values = eager_values(tensors, "broadcast");
  accelerator_of(values, "broadcast");
  Communicator& comm = world();
  if (root < 0 || root >= comm.size())
    throw ValueError("broadcast: root rank " + std::to_string(root) + " is outside the world of " +
                     std::to_string(comm.size()));
  if (comm.size() == 1) return;
  DeviceCommunicator* dev = nullptr;
  std::vector<char> host;
  for (const Tensor& t : values) {
    const int64_t bytes = t.numel() * static_cast<int64_t>(dtype_size(t.dtype()));
    if (t.device().is_cpu()) {
      comm.broadcast(t.raw_data(), bytes, root);
    } else if ((dev = device_communicator(t.device())) != nullptr) {
      dev->start_broadcast(t.raw_data(), bytes, root);
    } else {
      host.resize(static_cast<size_t>(bytes));
      copy_bytes(host.data(), Device::CPU, t.raw_data(), t.device(), host.size());
      comm.broadcast(host.data(), bytes, root);
      copy_bytes(t.raw_data(), t.device(), host.data(), Device::CPU, host.size());
    }
  }
  if (dev) dev->join();
}

void broadcast_variables(const VariableList& variables, int root) {
  TensorList values;
  for (const Variable& v : variables) {
    if (!v.defined()) throw ValueError("broadcast_variables: an undefined Variable in the list");
    const VariableState& s = v.state();
    if (!s.storage)
      throw StateError("broadcast_variables: variable '" + s.name + "' is not initialised");
    values.push_back(Tensor::make_eager(s.storage, s.shape, s.dtype));
  }
  broadcast(values, root);
}

void barrier() {
  world().barrier();
}

void fail(const std::string& what) {
  world().abort(what);
  std::abort();  // not reached: abort() ends the process
}

}  // namespace nabla::distributed
