#include "guard.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

#include "framework/core/errors.h"
#include "run_config.h"

#if defined(__SANITIZE_ADDRESS__)
#define NABLA_GUARD_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NABLA_GUARD_ASAN 1
#endif
#endif

namespace nabla::cli {
namespace {

// What the child reports through the pipe: one tag byte, then the message.
constexpr char kNablaError = 'E';  // a nabla error or a bad config: the load's own message
constexpr char kOutOfMemory = 'M';
constexpr char kOther = 'X';

double env_number(const char* name, double fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  char* end = nullptr;
  const double d = std::strtod(v, &end);
  if (*end || !(d > 0))
    throw ConfigError(name, std::string("expected a positive number, got '") + v + "'");
  return d;
}

[[noreturn]] void child(int fd, const std::function<void()>& load, const GuardLimits& limits) {
  // The parent loads the file again and prints whatever the load prints; the child stays quiet.
  const int null = open("/dev/null", O_WRONLY);
  if (null >= 0) dup2(null, STDOUT_FILENO), dup2(null, STDERR_FILENO), close(null);
  const rlimit no_core{0, 0};
  setrlimit(RLIMIT_CORE, &no_core);
  // A crash ends the child by its signal, which the parent reports, also where a sanitizer's
  // handler would otherwise turn it into an exit code.
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL}) signal(sig, SIG_DFL);
#ifndef NABLA_GUARD_ASAN
  if (limits.memory_bytes() > 0) {
    const rlimit as{limits.memory_bytes(), limits.memory_bytes()};
    setrlimit(RLIMIT_AS, &as);
  }
#endif
  std::string report;
  int code = 0;
  try {
    load();
  } catch (const OutOfMemoryError& e) {
    report = kOutOfMemory + std::string(e.what()), code = 3;
  } catch (const std::bad_alloc&) {
    report = kOutOfMemory + std::string("an allocation failed"), code = 3;
  } catch (const Error& e) {
    report = kNablaError + std::string(e.what()), code = 3;
  } catch (const ConfigError& e) {
    report = kNablaError + std::string(e.what()), code = 3;
  } catch (const std::exception& e) {
    report = kOther + std::string(e.what()), code = 3;
  }
  for (size_t done = 0; done < report.size();) {
    const ssize_t n = write(fd, report.data() + done, report.size() - done);
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  // No exit handlers: they belong to the parent (and would flush its buffered output twice).
  _exit(code);
}

std::string format_seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", s);
  return buf;
}

std::string mib(uint64_t bytes) {
  return std::to_string(bytes >> 20) + " MiB";
}

}  // namespace

GuardLimits GuardLimits::from_environment() {
  const double physical =
      static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGESIZE));
  const double memory_mb = env_number("NABLA_LOAD_MEMORY_MB", physical / 2 / (1 << 20));
  return GuardLimits()
      .seconds(env_number("NABLA_LOAD_TIMEOUT", 60))
      .memory_bytes(static_cast<uint64_t>(memory_mb * (1 << 20)));
}

void run_guarded(const std::string& file, const std::function<void()>& load,
                 const GuardLimits& limits) {
  int fds[2];
  if (pipe(fds) != 0) throw GuardError("cannot start a guarded load of '" + file + "' (pipe)");
  const pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]), close(fds[1]);
    throw GuardError("cannot start a guarded load of '" + file + "' (fork)");
  }
  if (pid == 0) {
    close(fds[0]);
    child(fds[1], load, limits);
  }
  close(fds[1]);
  // Read the child's report until it closes the pipe (it exits) or the time is up.
  std::string report;
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(static_cast<int64_t>(limits.seconds() * 1000));
  bool timed_out = false;
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - std::chrono::steady_clock::now())
                          .count();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    const int ready = poll(&p, 1, static_cast<int>(std::min<int64_t>(left, 1000)));
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) continue;
    char buf[4096];
    const ssize_t n = read(fds[0], buf, sizeof buf);
    if (n <= 0) break;  // end of file: the child is gone
    if (report.size() < (1 << 16)) report.append(buf, static_cast<size_t>(n));
  }
  close(fds[0]);
  if (timed_out) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  const std::string what = "'" + file + "'";
  if (timed_out)
    throw GuardError("reading " + what + " took longer than " + format_seconds(limits.seconds()) +
                     " s and was stopped: the file is damaged or hostile (NABLA_LOAD_TIMEOUT "
                     "sets the limit)");
  if (WIFSIGNALED(status))
    throw GuardError("reading " + what + " crashed the reader (signal " +
                     std::to_string(WTERMSIG(status)) + ", " + strsignal(WTERMSIG(status)) +
                     "): the file is damaged or hostile");
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return;
  const char tag = report.empty() ? kOther : report[0];
  const std::string message = report.empty() ? std::string() : report.substr(1);
  if (tag == kNablaError) throw ConfigError("", message);
  if (tag == kOutOfMemory)
    throw GuardError("reading " + what + " needs more memory than the " +
                     mib(limits.memory_bytes()) + " a guarded load may use (" + message +
                     "; NABLA_LOAD_MEMORY_MB sets the limit)");
  throw GuardError("reading " + what + " failed: " +
                   (message.empty() ? "the reader stopped without a message" : message));
}

}  // namespace nabla::cli
