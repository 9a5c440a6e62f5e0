// The umbrella header <nabla/nabla.h> is the public API: it reaches no internal header of the
// engine and no Eigen header, through any chain of includes. This test follows every
// #include "..." from include/nabla/nabla.h through the source tree.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

const fs::path kSource = NABLA_SOURCE_DIR;

struct Closure {
  std::set<std::string> headers;        // repository paths reached
  std::set<std::string> system;         // <...> includes seen on the way
  std::vector<std::string> unreadable;  // quoted includes found nowhere
};

// Every header the umbrella reaches, following quoted includes (and <nabla/...>).
Closure closure_of(const std::string& start) {
  Closure c;
  std::vector<std::string> todo{start};
  const std::regex quoted(R"(^\s*#\s*include\s+"([^"]+)\")"),
      angled(R"(^\s*#\s*include\s+<([^>]+)>)");
  while (!todo.empty()) {
    const std::string header = todo.back();
    todo.pop_back();
    if (!c.headers.insert(header).second) continue;
    fs::path file = kSource / header;
    if (!fs::exists(file)) file = kSource / "include" / header;
    std::ifstream in(file);
    if (!in) {
      c.unreadable.push_back(header);
      continue;
    }
    for (std::string line; std::getline(in, line);) {
      std::smatch m;
      if (std::regex_search(line, m, quoted)) todo.push_back(m[1]);
      if (std::regex_search(line, m, angled)) {
        c.system.insert(m[1]);
        if (m[1].str().rfind("nabla/", 0) == 0) todo.push_back(m[1]);
      }
    }
  }
  return c;
}

}  // namespace

TEST_CASE("the umbrella header reaches no internals and no Eigen") {
  const Closure c = closure_of("nabla/nabla.h");
  CHECK_MESSAGE(c.unreadable.empty(), "includes found nowhere: " << c.unreadable.front());
  REQUIRE(c.headers.size() > 40);
  // The public API is there, the distributed layer included.
  for (const char* wanted :
       {"framework/keras/model.h", "framework/runtime/session.h", "framework/runtime/threads.h",
        "framework/core/registry.h", "framework/keras/callback_config.h",
        "framework/distributed/distributed.h", "framework/distributed/strategy.h"})
    CHECK_MESSAGE(c.headers.count(wanted), wanted << " is not in the umbrella");
  std::string internal;
  for (const std::string& h : c.headers) {
    const bool is_internal =
        h == "framework/ops/dispatch.h" || h == "framework/ops/op_def.h" ||
        h == "framework/runtime/plan.h" || h == "framework/runtime/thread_pool.h" ||
        h == "framework/runtime/memory_planner.h" || h == "framework/keras/train_step.h" ||
        h == "framework/keras/model_state.h" || h.rfind("framework/backend/", 0) == 0 ||
        h.rfind("framework/cpu/", 0) == 0 || h.rfind("framework/cuda/", 0) == 0 ||
        h.find("config_reader") != std::string::npos;
    if (is_internal) internal += " " + h;
  }
  CHECK_MESSAGE(internal.empty(), "the umbrella includes internals:" << internal);
  for (const std::string& s : c.system) {
    CHECK_MESSAGE(s.rfind("Eigen", 0) != 0, "the umbrella includes " << s);
    CHECK_MESSAGE(s.rfind("unsupported/Eigen", 0) != 0, "the umbrella includes " << s);
    CHECK_MESSAGE(s.find("mpi.h") == std::string::npos, "the umbrella includes " << s);
  }
}

TEST_CASE("the old umbrella path forwards to <nabla/nabla.h>") {
  const Closure c = closure_of("framework/nabla.h");
  CHECK(c.headers.count("nabla/nabla.h"));
  CHECK(c.headers.count("framework/keras/model.h"));
}
