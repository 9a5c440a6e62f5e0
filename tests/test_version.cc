// nabla's version: nabla::version(), `nabla --version`, and the Keras version files keep saying.
#include <doctest/doctest.h>
#include <unistd.h>

#include <nabla/nabla.h>
#include <array>
#include <cstdio>
#include <filesystem>
#include <regex>

#include "framework/io/hdf5.h"

namespace fs = std::filesystem;

namespace {

// The command's standard output and exit code.
std::pair<int, std::string> run_cli(const std::string& args) {
  FILE* pipe = popen((std::string(NABLA_CLI) + " " + args + " 2>&1").c_str(), "r");
  REQUIRE(pipe);
  std::string out;
  std::array<char, 256> buf;
  for (size_t n; (n = fread(buf.data(), 1, buf.size(), pipe)) > 0;) out.append(buf.data(), n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

}  // namespace

TEST_CASE("nabla::version() is the project's version") {
  CHECK(nabla::version() == NABLA_PROJECT_VERSION);
  CHECK(std::regex_match(nabla::version(), std::regex(R"(\d+\.\d+\.\d+)")));
}

TEST_CASE("nabla --version prints it and exits 0") {
  const auto [code, out] = run_cli("--version");
  CHECK(code == 0);
  CHECK(out == std::string("nabla ") + NABLA_PROJECT_VERSION + "\n");
  CHECK(run_cli("--help").second.find("--version") != std::string::npos);
}

TEST_CASE("saved files keep Keras's version and backend, not nabla's") {
  const fs::path file =
      fs::temp_directory_path() / ("nabla_version_" + std::to_string(getpid()) + ".h5");
  nabla::Sequential model({nabla::Input({3}), nabla::Dense(2, "softmax")});
  model.save(file.string());
  {
    const nabla::h5::Group root = nabla::h5::open_file(file.string());
    CHECK(root.get_string("keras_version") == nabla::kKerasVersion);
    CHECK(root.get_string("backend") == "tensorflow");
  }
  CHECK(model.to_json().find(std::string("\"keras_version\":\"") + nabla::kKerasVersion) !=
        std::string::npos);
  fs::remove(file);
}
