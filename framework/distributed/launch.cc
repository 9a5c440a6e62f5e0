#include "framework/distributed/launch.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <string>

#include "framework/core/errors.h"

namespace nabla::distributed {
namespace {

// A whole non-negative integer, or -1 when `text` is not one.
long long parse_count(const char* text) {
  if (!text || !*text) return -1;
  char* end = nullptr;
  errno = 0;
  const long long value = std::strtoll(text, &end, 10);
  if (errno != 0 || *end != '\0' || value < 0) return -1;
  return value;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The launchers nabla recognises: the variable telling the world size (or "" when the launcher
// announces none) and the one telling the rank.
struct LauncherVars {
  const char* size;
  const char* rank;
};
constexpr LauncherVars kLaunchers[] = {
    {"OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_RANK"},  // Open MPI's mpirun
    {"PMI_SIZE", "PMI_RANK"},                          // MPICH hydra, srun --mpi=pmi2
    {"MV2_COMM_WORLD_SIZE", "MV2_COMM_WORLD_RANK"},    // MVAPICH
    {"", "PMIX_RANK"},                                 // PMIx: prterun, srun --mpi=pmix
};

}  // namespace

LaunchInfo detect_launch(const GetEnv& getenv) {
  LaunchInfo info;
  if (const char* forced = getenv("NABLA_DISTRIBUTED"); forced && *forced) {
    const std::string v = lower(forced);
    if (v == "0" || v == "off" || v == "false") {
      info.evidence = "NABLA_DISTRIBUTED=" + std::string(forced);
      return info;
    }
    if (v != "1" && v != "on" && v != "true" && v != "auto")
      throw ValueError("NABLA_DISTRIBUTED: expected 0, 1 or auto, got '" + std::string(forced) +
                       "'");
    if (v != "auto") {
      info.distributed = true;
      info.evidence = "NABLA_DISTRIBUTED=" + std::string(forced);
    }
  }
  for (const LauncherVars& l : kLaunchers) {
    const char* size = *l.size ? getenv(l.size) : nullptr;
    const char* rank = getenv(l.rank);
    if (!size && !rank) continue;
    info.distributed = true;
    info.size = static_cast<int>(parse_count(size));
    info.rank = static_cast<int>(parse_count(rank));
    info.evidence = size ? std::string(l.size) + "=" + size : std::string(l.rank) + "=" + rank;
    break;
  }
  return info;
}

LaunchInfo detect_launch() {
  return detect_launch([](const char* name) { return std::getenv(name); });
}

double collective_timeout_seconds(const GetEnv& getenv) {
  const char* text = getenv("NABLA_COLLECTIVE_TIMEOUT");
  if (!text || !*text) return 300.0;
  char* end = nullptr;
  const double seconds = std::strtod(text, &end);
  if (*end != '\0' || !std::isfinite(seconds) || seconds < 0)
    throw ValueError(
        "NABLA_COLLECTIVE_TIMEOUT: expected seconds (a number >= 0; 0 for no limit), "
        "got '" +
        std::string(text) + "'");
  return seconds;
}

double collective_timeout_seconds() {
  return collective_timeout_seconds([](const char* name) { return std::getenv(name); });
}

size_t default_bucket_bytes(const GetEnv& getenv) {
  const char* text = getenv("NABLA_BUCKET_BYTES");
  if (!text || !*text) return size_t{4} << 20;
  const long long bytes = parse_count(text);
  if (bytes <= 0)
    throw ValueError("NABLA_BUCKET_BYTES: expected a positive number of bytes, got '" +
                     std::string(text) + "'");
  return static_cast<size_t>(bytes);
}

size_t default_bucket_bytes() {
  return default_bucket_bytes([](const char* name) { return std::getenv(name); });
}

}  // namespace nabla::distributed
