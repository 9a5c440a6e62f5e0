// The folders of nabla form layers that only look down. The layers are the table in
// docs/architecture.md; this test reads that table and every source file's #include "..." lines
// and fails, listing each offending line, when a file includes a folder of a higher layer or a
// sibling folder of its own layer, or when a folder is missing from the table.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

const fs::path kSource = NABLA_SOURCE_DIR;

// Folder -> layer, from the rows "| <layer> | `folder`, `folder` | ... |" of the table between
// the "layers:begin" and "layers:end" markers of docs/architecture.md.
std::map<std::string, int> read_layers() {
  std::ifstream in(kSource / "docs" / "architecture.md");
  REQUIRE_MESSAGE(in, "docs/architecture.md is missing");
  std::map<std::string, int> layers;
  bool inside = false;
  const std::regex row(R"(^\|\s*(\d+)\s*\|([^|]*)\|)"), folder("`([^`]+)`");
  for (std::string line; std::getline(in, line);) {
    if (line.find("layers:begin") != std::string::npos) inside = true;
    if (line.find("layers:end") != std::string::npos) inside = false;
    std::smatch m;
    if (!inside || !std::regex_search(line, m, row)) continue;
    const int level = std::stoi(m[1]);
    const std::string cell = m[2];
    for (auto it = std::sregex_iterator(cell.begin(), cell.end(), folder);
         it != std::sregex_iterator(); ++it)
      layers[(*it)[1]] = level;
  }
  return layers;
}

// The folder a path belongs to: the longest folder of the table that is a prefix of it.
std::string folder_of(const std::string& path, const std::map<std::string, int>& layers) {
  std::string best;
  for (const auto& [folder, level] : layers)
    if ((path == folder || path.rfind(folder + "/", 0) == 0) && folder.size() > best.size())
      best = folder;
  return best;
}

bool is_source(const fs::path& p) {
  const std::string e = p.extension().string();
  return e == ".h" || e == ".cc" || e == ".cu" || e == ".cuh";
}

}  // namespace

TEST_CASE("every include looks down the layers of docs/architecture.md") {
  const std::map<std::string, int> layers = read_layers();
  REQUIRE(layers.size() > 10);
  std::vector<std::string> problems;
  std::set<std::string> unplaced;
  const std::regex include(R"(^\s*#\s*include\s+"([^"]+/[^"]+)\")");
  for (const char* top : {"framework", "layers", "losses", "optimizers", "apps", "include",
                          "examples", "bench", "fuzz", "scripts"}) {
    if (!fs::exists(kSource / top)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(kSource / top)) {
      if (!entry.is_regular_file() || !is_source(entry.path())) continue;
      const std::string file = fs::relative(entry.path(), kSource).string();
      const std::string from = folder_of(file, layers);
      if (from.empty()) {
        unplaced.insert(fs::path(file).parent_path().string());
        continue;
      }
      std::ifstream in(entry.path());
      int line_number = 0;
      for (std::string line; std::getline(in, line);) {
        ++line_number;
        std::smatch m;
        if (!std::regex_search(line, m, include)) continue;
        const std::string to = folder_of(m[1], layers);
        if (to.empty() || to == from) continue;  // a third-party header, or its own folder
        const int a = layers.at(from), b = layers.at(to);
        if (b > a || (b == a && to != from))
          problems.push_back(file + ":" + std::to_string(line_number) + " (" + from + ", layer " +
                             std::to_string(a) + ") includes " + m[1].str() + " (" + to +
                             ", layer " + std::to_string(b) + ")");
      }
    }
  }
  std::string report;
  for (const std::string& p : problems) report += "\n  " + p;
  for (const std::string& u : unplaced)
    report += "\n  folder " + u + " is not in docs/architecture.md's table of layers";
  CHECK_MESSAGE(report.empty(), "layering violations:" << report);
}
