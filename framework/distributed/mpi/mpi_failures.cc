// How MpiCommunicator fails: waiting with a deadline, MPI errors, ending the job, the barrier at
// exit, and the handler for exceptions that escape main. Compiled only in builds with MPI.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <thread>

#include "framework/distributed/distributed.h"
#include "framework/distributed/mpi/mpi_communicator_impl.h"
#include "framework/distributed/mpi_communicator.h"

namespace nabla::distributed {
namespace {

std::string seconds_text(double s) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", s);
  return buffer;
}

MpiCommunicator* instance = nullptr;

}  // namespace

void MpiCommunicator::check(int rc, const char* what) {
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
void MpiCommunicator::wait_for(MPI_Request& r, const char* what) {
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

void MpiCommunicator::abort(const std::string& message) {
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

void MpiCommunicator::finalize_at_exit() {
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
