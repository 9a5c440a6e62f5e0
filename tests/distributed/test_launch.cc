// How nabla tells that a launcher started it, and the distributed layer's environment settings.
#include <doctest/doctest.h>

#include <map>
#include <string>

#include "framework/core/errors.h"
#include "framework/distributed/launch.h"

using namespace nabla;
using namespace nabla::distributed;

namespace {

GetEnv env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ValueError& e) {
    return e.what();
  }
  return "(no ValueError)";
}

}  // namespace

TEST_CASE("a process started alone is not distributed") {
  const LaunchInfo info = detect_launch(env({}));
  CHECK_FALSE(info.distributed);
  CHECK(info.size == -1);
  CHECK(info.evidence.empty());
}

TEST_CASE("each launcher's variables are recognised, with the size and rank they announce") {
  LaunchInfo ompi =
      detect_launch(env({{"OMPI_COMM_WORLD_SIZE", "4"}, {"OMPI_COMM_WORLD_RANK", "2"}}));
  CHECK(ompi.distributed);
  CHECK(ompi.size == 4);
  CHECK(ompi.rank == 2);
  CHECK(ompi.evidence == "OMPI_COMM_WORLD_SIZE=4");

  LaunchInfo pmi = detect_launch(env({{"PMI_SIZE", "8"}, {"PMI_RANK", "7"}}));
  CHECK(pmi.distributed);
  CHECK(pmi.size == 8);
  CHECK(pmi.rank == 7);

  LaunchInfo pmix = detect_launch(env({{"PMIX_RANK", "1"}}));
  CHECK(pmix.distributed);
  CHECK(pmix.size == -1);  // PMIx does not announce the size
  CHECK(pmix.rank == 1);
  CHECK(pmix.evidence == "PMIX_RANK=1");

  CHECK(detect_launch(env({{"MV2_COMM_WORLD_SIZE", "2"}})).distributed);
}

TEST_CASE("NABLA_DISTRIBUTED forces one process or MPI, and rejects anything else") {
  LaunchInfo off = detect_launch(env({{"NABLA_DISTRIBUTED", "0"}, {"OMPI_COMM_WORLD_SIZE", "2"}}));
  CHECK_FALSE(off.distributed);
  CHECK(off.evidence == "NABLA_DISTRIBUTED=0");
  CHECK_FALSE(detect_launch(env({{"NABLA_DISTRIBUTED", "off"}, {"PMIX_RANK", "0"}})).distributed);
  CHECK(detect_launch(env({{"NABLA_DISTRIBUTED", "1"}})).distributed);
  CHECK(detect_launch(env({{"NABLA_DISTRIBUTED", "auto"}, {"PMI_SIZE", "2"}})).distributed);
  CHECK_FALSE(detect_launch(env({{"NABLA_DISTRIBUTED", "auto"}})).distributed);
  const std::string m = message_of([] { detect_launch(env({{"NABLA_DISTRIBUTED", "maybe"}})); });
  CHECK(m.find("NABLA_DISTRIBUTED") != std::string::npos);
  CHECK(m.find("'maybe'") != std::string::npos);
}

TEST_CASE("NABLA_COLLECTIVE_TIMEOUT: seconds, 0 for no limit, 300 by default") {
  CHECK(collective_timeout_seconds(env({})) == 300.0);
  CHECK(collective_timeout_seconds(env({{"NABLA_COLLECTIVE_TIMEOUT", "2.5"}})) == 2.5);
  CHECK(collective_timeout_seconds(env({{"NABLA_COLLECTIVE_TIMEOUT", "0"}})) == 0.0);
  for (const char* bad : {"soon", "-1", "5s", "inf"}) {
    CAPTURE(bad);
    const std::string m = message_of([&] {
      collective_timeout_seconds(env({{"NABLA_COLLECTIVE_TIMEOUT", bad}}));
    });
    CHECK(m.find("NABLA_COLLECTIVE_TIMEOUT") != std::string::npos);
  }
}

TEST_CASE("NABLA_BUCKET_BYTES: a positive byte count, 4 MiB by default") {
  CHECK(default_bucket_bytes(env({})) == 4u << 20);
  CHECK(default_bucket_bytes(env({{"NABLA_BUCKET_BYTES", "65536"}})) == 65536u);
  for (const char* bad : {"0", "-5", "4MB", "x"}) {
    CAPTURE(bad);
    const std::string m = message_of([&] {
      default_bucket_bytes(env({{"NABLA_BUCKET_BYTES", bad}}));
    });
    CHECK(m.find("NABLA_BUCKET_BYTES") != std::string::npos);
  }
}
