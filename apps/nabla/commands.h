// The subcommands of `nabla`. Each returns the process exit code; ConfigError (exit 2) and other
// exceptions (exit 1) are turned into one line by main().
#pragma once

#include <cxxopts.hpp>
#include <optional>
#include <string>
#include <vector>

namespace nabla::cli {

int train_command(int argc, char** argv);
int evaluate_command(int argc, char** argv);
int predict_command(int argc, char** argv);
int summary_command(int argc, char** argv);
int export_graph_command(int argc, char** argv);
int convert_command(int argc, char** argv);

/// Parses a subcommand's options; prints its help and returns nullopt on -h/--help.
std::optional<cxxopts::ParseResult> parse_options(cxxopts::Options& opts, int argc, char** argv);

}  // namespace nabla::cli
