// `nabla train` under mpirun: the strategy, the config check across ranks, one rank's output.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>

#include <nabla/nabla.h>

namespace nabla::cli {

/// The strategy of a `nabla train` that a launcher started (mpirun, srun): MultiWorker() over the
/// job's ranks, once every rank was found to hold the same `config` (the config as resolved, with
/// the command line's overrides; a ConfigError on every rank otherwise, naming the ranks that
/// differ). nullopt when the process trains alone (no launcher, or a job of one rank). In a build
/// without MPI a launched process gets MultiWorker's StateError, which says how to enable it.
///
/// On every rank but 0 it silences standard output, so that the job prints one summary, one
/// progress bar and one result; errors still go to standard error.
std::optional<distributed::Strategy> data_parallel_strategy(const nlohmann::json& config);

}  // namespace nabla::cli
