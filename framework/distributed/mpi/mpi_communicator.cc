// The collectives of MpiCommunicator: each started non-blocking and finished by wait_for
// (mpi_failures.cc), which gives up after NABLA_COLLECTIVE_TIMEOUT. Compiled only in builds with
// MPI (cmake/mpi.cmake); framework/distributed/mpi/no_mpi.cc stands in for it otherwise.
#include <algorithm>
#include <climits>
#include <cstring>

#include "framework/core/errors.h"
#include "framework/distributed/launch.h"
#include "framework/distributed/mpi/mpi_communicator_impl.h"
#include "framework/distributed/single_process.h"

namespace nabla::distributed {
namespace {

static_assert(sizeof(MPI_Request) <= sizeof(uint64_t), "Request::handle holds an MPI_Request");

MPI_Datatype mpi_type(DType dtype) {
  switch (dtype) {
    case DType::Float32:
      return MPI_FLOAT;
    case DType::Float64:
      return MPI_DOUBLE;
    case DType::Int32:
      return MPI_INT32_T;
    case DType::Int64:
      return MPI_INT64_T;
    case DType::Bool:
      break;
  }
  throw TypeError("MPI: no reduction for dtype " + std::string(dtype_name(dtype)));
}

}  // namespace

MpiCommunicator::MpiCommunicator() : timeout_(collective_timeout_seconds()) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) {
    int provided = 0;
    if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided) != MPI_SUCCESS)
      throw StateError("MPI_Init_thread failed: this process cannot join the MPI job");
    owns_mpi_ = true;
  }
  MPI_Comm_dup(MPI_COMM_WORLD, &comm_);
  MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN);
  // Open MPI reports some request errors (from MPI_Test on a non-blocking collective) through
  // MPI_COMM_WORLD's handler; when nabla owns MPI, those come back to it too.
  if (owns_mpi_) MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  MPI_Comm_rank(comm_, &rank_);
  MPI_Comm_size(comm_, &size_);
  MPI_Comm node = MPI_COMM_NULL;
  check(MPI_Comm_split_type(comm_, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &node),
        "MPI_Comm_split_type");
  MPI_Comm_rank(node, &local_rank_);
  MPI_Comm_size(node, &local_size_);
  MPI_Comm_free(&node);
}

void MpiCommunicator::all_reduce_sum(void* data, int64_t count, DType dtype) {
  check_buffer(data, count, dtype, "all_reduce");
  const MPI_Datatype type = mpi_type(dtype);
  char* p = static_cast<char*>(data);
  for (int64_t done = 0; done < count;) {  // MPI counts are ints
    const int n = static_cast<int>(std::min<int64_t>(count - done, INT_MAX));
    MPI_Request r;
    call([&] { return MPI_Iallreduce(MPI_IN_PLACE, p, n, type, MPI_SUM, comm_, &r); },
         "MPI_Iallreduce");
    wait_for(r, "all-reduce");
    done += n;
    p += static_cast<size_t>(n) * dtype_size(dtype);
  }
}

void MpiCommunicator::broadcast(void* data, int64_t bytes, int root) {
  check_root(root, "broadcast");
  check_buffer(data, bytes, DType::Int32, "broadcast");
  char* p = static_cast<char*>(data);
  for (int64_t done = 0; done < bytes;) {
    const int n = static_cast<int>(std::min<int64_t>(bytes - done, INT_MAX));
    MPI_Request r;
    call([&] { return MPI_Ibcast(p, n, MPI_BYTE, root, comm_, &r); }, "MPI_Ibcast");
    wait_for(r, "broadcast");
    done += n;
    p += n;
  }
}

std::vector<std::string> MpiCommunicator::all_gather(const std::string& bytes) {
  int64_t length = static_cast<int64_t>(bytes.size());
  std::vector<int64_t> lengths(static_cast<size_t>(size_));
  MPI_Request r;
  call(
      [&] {
        return MPI_Iallgather(&length, 1, MPI_INT64_T, lengths.data(), 1, MPI_INT64_T, comm_, &r);
      },
      "MPI_Iallgather");
  wait_for(r, "all-gather");
  std::vector<int> counts(lengths.size()), offsets(lengths.size());
  int64_t total = 0;
  for (size_t i = 0; i < lengths.size(); ++i) {
    offsets[i] = static_cast<int>(total);
    counts[i] = static_cast<int>(lengths[i]);
    total += lengths[i];
    if (total > INT_MAX)  // every rank sees the same lengths, so every rank throws
      throw ValueError("all_gather: " + std::to_string(total) +
                       " bytes in all is too much (at most 2 GiB)");
  }
  std::string gathered(static_cast<size_t>(total), '\0');
  call(
      [&] {
        return MPI_Iallgatherv(bytes.data(), static_cast<int>(length), MPI_BYTE, gathered.data(),
                               counts.data(), offsets.data(), MPI_BYTE, comm_, &r);
      },
      "MPI_Iallgatherv");
  wait_for(r, "all-gather");
  std::vector<std::string> out;
  for (size_t i = 0; i < lengths.size(); ++i)
    out.push_back(gathered.substr(static_cast<size_t>(offsets[i]), static_cast<size_t>(counts[i])));
  return out;
}

void MpiCommunicator::barrier() {
  MPI_Request r;
  call([&] { return MPI_Ibarrier(comm_, &r); }, "MPI_Ibarrier");
  wait_for(r, "barrier");
}

void MpiCommunicator::start_all_reduce_sum(void* data, int64_t count, DType dtype,
                                           Request& request) {
  check_buffer(data, count, dtype, "all_reduce");
  if (request.active) throw StateError("all_reduce: its request is still in flight");
  if (count > INT_MAX)
    throw ValueError("all_reduce: " + std::to_string(count) +
                     " elements in one non-blocking all-reduce (at most 2^31 - 1)");
  const MPI_Datatype type = mpi_type(dtype);
  MPI_Request r;
  call(
      [&] {
        return MPI_Iallreduce(MPI_IN_PLACE, data, static_cast<int>(count), type, MPI_SUM, comm_,
                              &r);
      },
      "MPI_Iallreduce");
  std::memcpy(&request.handle, &r, sizeof r);
  request.active = true;
}

bool MpiCommunicator::test(Request& request) {
  if (!request.active) return true;
  MPI_Request r;
  std::memcpy(&r, &request.handle, sizeof r);
  int done = 0;
  call([&] { return MPI_Test(&r, &done, MPI_STATUS_IGNORE); }, "MPI_Test");
  std::memcpy(&request.handle, &r, sizeof r);
  if (done) request.active = false;
  return done != 0;
}

void MpiCommunicator::wait(Request& request) {
  if (!request.active) return;
  MPI_Request r;
  std::memcpy(&r, &request.handle, sizeof r);
  wait_for(r, request.what);
  std::memcpy(&request.handle, &r, sizeof r);
  request.active = false;
}

}  // namespace nabla::distributed
