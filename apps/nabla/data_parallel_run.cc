#include "data_parallel_run.h"

#include <iostream>
#include <nlohmann/json.hpp>
#include <streambuf>

#include "run_config.h"

namespace nabla::cli {
namespace {

// A stream buffer that drops what it is given.
class NullBuffer : public std::streambuf {
 protected:
  int overflow(int c) override { return traits_type::not_eof(c); }
  std::streamsize xsputn(const char*, std::streamsize n) override { return n; }
};

}  // namespace

std::optional<distributed::Strategy> data_parallel_strategy(const nlohmann::json& config) {
  if (!distributed::started_by_launcher()) return std::nullopt;
  distributed::Strategy strategy = distributed::MultiWorker();
  if (!strategy.is_distributed()) return std::nullopt;
  try {
    strategy.check_same_on_all_ranks("config", config.dump());
  } catch (const ValueError& e) {
    throw ConfigError("", e.what());
  }
  if (!strategy.is_chief()) {
    static NullBuffer null;
    std::cout.rdbuf(&null);
  }
  return strategy;
}

}  // namespace nabla::cli
