// The shipped Functional config (configs/diabetes_two_heads.json): it trains as it is, writes
// model.keras, predicts from one file per input, and docs/config.md shows its data and compile
// sections exactly as they are.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_run.h"

using namespace nabla::clitest;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

const std::string kConfig = std::string(NABLA_CONFIGS) + "/diabetes_two_heads.json";

// The first `rows` rows of diabetes.csv's `columns`, as a CSV file with a header.
void write_columns(const std::string& file, const std::vector<std::string>& columns, int rows) {
  std::ifstream in(std::string(NABLA_CONFIGS) + "/data/diabetes.csv");
  std::string line;
  std::getline(in, line);
  std::vector<std::string> header;
  std::istringstream h(line);
  for (std::string cell; std::getline(h, cell, ',');) header.push_back(cell);
  std::ofstream out(file);
  for (size_t c = 0; c < columns.size(); ++c) out << (c ? "," : "") << columns[c];
  out << "\n";
  for (int r = 0; r < rows && std::getline(in, line); ++r) {
    std::vector<std::string> cells;
    std::istringstream s(line);
    for (std::string cell; std::getline(s, cell, ',');) cells.push_back(cell);
    for (size_t c = 0; c < columns.size(); ++c) {
      const auto at = std::find(header.begin(), header.end(), columns[c]) - header.begin();
      out << (c ? "," : "") << cells.at(static_cast<size_t>(at));
    }
    out << "\n";
  }
}

}  // namespace

TEST_CASE("the shipped Functional config trains by input and output name and writes .keras") {
  TempDir dir;
  const Result train =
      run("train " + kConfig + " --epochs 2 --verbose 0 --output-dir " + (dir / "run"));
  REQUIRE_MESSAGE(train.code == 0, train.output);
  CHECK(fs::exists(dir / "run/model.keras"));
  CHECK_FALSE(fs::exists(dir / "run/model.h5"));
  const json history = json::parse(read_text(dir / "run/history.json"));
  for (const char* key : {"loss", "progression_loss", "s5_loss", "progression_mean_absolute_error",
                          "val_loss", "val_s5_loss"}) {
    CAPTURE(key);
    CHECK(history.contains(key));
  }

  // One --input per model input, in order (body, then serum).
  write_columns(dir / "body.csv", {"age", "sex", "bmi", "bp"}, 3);
  write_columns(dir / "serum.csv", {"s1", "s2", "s3", "s4", "s6"}, 3);
  const Result p = run("predict " + (dir / "run/model.keras") + " --input " + (dir / "body.csv") +
                       " --input " + (dir / "serum.csv"));
  REQUIRE_MESSAGE(p.code == 0, p.output);
  std::istringstream lines(p.output);
  std::string first;
  std::getline(lines, first);
  CHECK(first == "progression_0,s5_0");
  int rows = 0;
  for (std::string l; std::getline(lines, l);) rows += !l.empty();
  CHECK(rows == 3);
  // The inputs swapped do not fit: body has 4 features, serum 5.
  CHECK(run("predict " + (dir / "run/model.keras") + " --input " + (dir / "serum.csv") +
            " --input " + (dir / "body.csv"))
            .code == 2);
}

TEST_CASE("docs/config.md shows the Functional config's compile and data as they are") {
  const std::string doc = read_text(std::string(NABLA_SOURCE_DIR) + "/docs/config.md");
  const std::string marker = "From `configs/diabetes_two_heads.json`:";
  const size_t at = doc.find(marker);
  REQUIRE(at != std::string::npos);
  const size_t begin = doc.find("```json\n", at);
  REQUIRE(begin != std::string::npos);
  const size_t end = doc.find("```", begin + 8);
  REQUIRE(end != std::string::npos);
  const json shown = json::parse(doc.substr(begin + 8, end - begin - 8));
  const json config = json::parse(read_text(kConfig));
  CHECK(shown.at("compile") == config.at("compile"));
  CHECK(shown.at("data") == config.at("data"));
  CHECK(shown.at("output") == config.at("output"));
}
