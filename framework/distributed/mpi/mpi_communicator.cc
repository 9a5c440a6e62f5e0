// Every MPI call of nabla is here. Collectives are started non-blocking and waited for with a
// deadline, so a rank whose peer died or stopped calling collectives ends the job with a message
// instead of hanging; MPI errors come back as return codes (MPI_ERRORS_RETURN) and end the job the
// same way. One mutex serialises the calls (MPI_THREAD_SERIALIZED), so a training step may start
// and test requests from whichever thread runs its kernels.
//
// Compiled only in builds with MPI (cmake/mpi.cmake); framework/distributed/mpi/no_mpi.cc stands
// in for it otherwise.
#include "framework/distributed/mpi_communicator.h"

#include <mpi.h>
#include <unistd.h>

#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <iostream>
#include <mutex>
#include <thread>

#include "framework/core/errors.h"
#include "framework/distributed/distributed.h"
#include "framework/distributed/launch.h"
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

std::string seconds_text(double s) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", s);
  return buffer;
}

class MpiCommunicator final : public Communicator {
 public:
  MpiCommunicator() : timeout_(collective_timeout_seconds()) {
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

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  int local_rank() const override { return local_rank_; }
  int local_size() const override { return local_size_; }
  std::string name() const override { return "mpi"; }

  void all_reduce_sum(void* data, int64_t count, DType dtype) override {
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

  void broadcast(void* data, int64_t bytes, int root) override {
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

  std::vector<std::string> all_gather(const std::string& bytes) override {
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
      out.push_back(
          gathered.substr(static_cast<size_t>(offsets[i]), static_cast<size_t>(counts[i])));
    return out;
  }

  void barrier() override {
    MPI_Request r;
    call([&] { return MPI_Ibarrier(comm_, &r); }, "MPI_Ibarrier");
    wait_for(r, "barrier");
  }

  void start_all_reduce_sum(void* data, int64_t count, DType dtype, Request& request) override {
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

  bool test(Request& request) override {
    if (!request.active) return true;
    MPI_Request r;
    std::memcpy(&r, &request.handle, sizeof r);
    int done = 0;
    call([&] { return MPI_Test(&r, &done, MPI_STATUS_IGNORE); }, "MPI_Test");
    std::memcpy(&request.handle, &r, sizeof r);
    if (done) request.active = false;
    return done != 0;
  }

  void wait(Request& request) override {
    if (!request.active) return;
    MPI_Request r;
    std::memcpy(&r, &request.handle, sizeof r);
    wait_for(r, request.what);
    std::memcpy(&request.handle, &r, sizeof r);
    request.active = false;
  }

  [[noreturn]] void abort(const std::string& message) override {
    static std::once_flag once;  // a second thread failing at the same time waits to be killed
    bool first = false;
    std::call_once(once, [&] { first = true; });
    if (!first)
      for (;;) pause();
    std::cout.flush();
    std::fflush(stdout);
    std::fprintf(stderr, "rank %d failed: %s\n", rank_, message.c_str());
    std::fflush(stderr);
    // Another thread may be inside an MPI call; give it a moment to leave, then abort regardless.
    for (int i = 0; i < 100 && !mutex_.try_lock(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    aborted_ = true;
    MPI_Abort(comm_, 1);
    _exit(1);
  }

  // At exit: wait for every rank to get here, then finalise. A rank that returns from main while
  // its peers are still inside collectives would otherwise hang in MPI_Finalize with them.
  void finalize_at_exit() {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (finalized || aborted_) return;
    MPI_Request r;
    call([&] { return MPI_Ibarrier(comm_, &r); }, "MPI_Ibarrier");
    wait_for(r, "the barrier at exit (where every rank waits for the others to finish)");
    std::lock_guard<std::mutex> lock(mutex_);
    MPI_Comm_free(&comm_);
    if (owns_mpi_) MPI_Finalize();
  }

 private:
  // Runs one MPI call under the mutex and ends the job if it fails.
  template <class F>
  void call(F&& f, const char* what) {
    int rc;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      rc = f();
    }
    check(rc, what);
  }

  void check(int rc, const char* what) {
    if (rc == MPI_SUCCESS) return;
    char text[MPI_MAX_ERROR_STRING];
    int length = 0;
    MPI_Error_string(rc, text, &length);
    int error_class = rc;
    MPI_Error_class(rc, &error_class);
    abort(std::string(what) + " failed: " + std::string(text, static_cast<size_t>(length)) +
          (error_class == MPI_ERR_TRUNCATE
               ? " (the ranks called different collectives, or with different sizes)"
               : ""));
  }

  // MPI_Wait with a deadline: spins on MPI_Test (which is also what drives the collective on),
  // yielding the core after the first thousand tries and sleeping a millisecond between tries
  // once a second has passed, since by then a peer is late anyway.
  void wait_for(MPI_Request& r, const char* what) {
    using Clock = std::chrono::steady_clock;
    const Clock::time_point start = Clock::now();
    for (uint64_t tries = 0;; ++tries) {
      int done = 0, rc;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        rc = MPI_Test(&r, &done, MPI_STATUS_IGNORE);
      }
      if (rc != MPI_SUCCESS) check(rc, what);  // "all-reduce failed: ..."
      if (done) return;
      if (tries < 1000) continue;
      const double waited = std::chrono::duration<double>(Clock::now() - start).count();
      if (timeout_ > 0 && waited > timeout_)
        abort(std::string(what) + " did not complete within " + seconds_text(timeout_) +
              " s (NABLA_COLLECTIVE_TIMEOUT): another rank failed, stopped, or is running a "
              "different collective");
      if (waited > 1.0)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      else
        std::this_thread::yield();
    }
  }

  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0, size_ = 1, local_rank_ = 0, local_size_ = 1;
  bool owns_mpi_ = false;
  bool aborted_ = false;
  double timeout_;
  std::mutex mutex_;
};

MpiCommunicator* instance = nullptr;

}  // namespace

Communicator* make_mpi_communicator() {
  // Never deleted: it must outlive every static object that might still communicate, and MPI is
  // finalised by the exit handler below rather than by a destructor.
  instance = new MpiCommunicator();
  std::atexit([] { instance->finalize_at_exit(); });
  std::set_terminate([] {
    std::string what = "terminate called without an active exception";
    if (std::exception_ptr e = std::current_exception()) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& x) {
        what = std::string("uncaught exception: ") + x.what();
      } catch (...) {
        what = "uncaught exception of unknown type";
      }
    }
    instance->abort(what);
  });
  return instance;
}

std::string mpi_library_version() {
  char text[MPI_MAX_LIBRARY_VERSION_STRING];
  int length = 0;
  MPI_Get_library_version(text, &length);
  std::string version(text, static_cast<size_t>(length));
  while (!version.empty() && (version.back() == '\n' || version.back() == '\0')) version.pop_back();
  return version;
}

bool built_with_mpi() {
  return true;
}

}  // namespace nabla::distributed
