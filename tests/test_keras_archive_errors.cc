// Bad .keras archives: each is a clear error naming the archive, the member or the layer and
// what is wrong; nothing is loaded half-way; a zip bomb is refused before it is inflated.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "framework/io/zip_archive.h"
#include "framework/keras/keras_archive.h"
#include "keras_manifest.h"
#include "zip_test_util.h"

using namespace nabla;
using namespace nabla::ziptest;
using json = nlohmann::json;

namespace {

struct Members {
  std::string metadata, config, weights;
};

// The members of a small valid archive of nabla's.
Members valid_members(const TempDir& dir) {
  set_seed(2);
  Tensor x = Input({3}, "x");
  Model model(x, Dense(2, "linear", "out")(Dense(4, "relu", "hidden")(x)), "small");
  model.compile("adam", "mse");
  model.save(dir / "valid.keras");
  const ZipReader zip(dir / "valid.keras");
  return {zip.read("metadata.json"), zip.read("config.json"), zip.read("model.weights.h5")};
}

std::string write_archive(const TempDir& dir, const std::string& name,
                          const std::vector<std::pair<std::string, std::string>>& members) {
  ZipWriter zip(dir / name);
  for (const auto& [member, data] : members) zip.add(member, data);
  zip.close();
  return dir / name;
}

// The message of the nabla::Error that loading `path` throws ("" when it loads).
std::string load_error(const std::string& path) {
  try {
    load_model(path);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// The archive with config.json's functional config changed by `edit`.
std::string with_config(const TempDir& dir, const Members& m, const std::string& name,
                        const std::function<void(json&)>& edit) {
  json config = json::parse(m.config);
  edit(config["config"]);
  return write_archive(dir, name,
                       {{"metadata.json", m.metadata},
                        {"config.json", config.dump()},
                        {"model.weights.h5", m.weights}});
}

}  // namespace

TEST_CASE("an archive without config.json, or with a damaged one, names the member") {
  TempDir dir;
  const Members m = valid_members(dir);
  std::string msg = load_error(write_archive(
      dir, "noconfig.keras", {{"metadata.json", m.metadata}, {"model.weights.h5", m.weights}}));
  CHECK(msg.find("noconfig.keras") != std::string::npos);
  CHECK(msg.find("'config.json': no such member") != std::string::npos);

  msg = load_error(
      write_archive(dir, "badjson.keras",
                    {{"config.json", "{\"class_name\": "}, {"model.weights.h5", m.weights}}));
  CHECK(msg.find("badjson.keras', member 'config.json' is not JSON") != std::string::npos);

  msg = load_error(write_archive(dir, "noweights.keras",
                                 {{"metadata.json", m.metadata}, {"config.json", m.config}}));
  CHECK(msg.find("'model.weights.h5': no such member") != std::string::npos);

  msg = load_error(write_archive(dir, "nothdf5.keras",
                                 {{"config.json", m.config}, {"model.weights.h5", "not HDF5"}}));
  CHECK(msg.find("nothdf5.keras/model.weights.h5") != std::string::npos);
  CHECK(msg.find("not an HDF5 file") != std::string::npos);
}

TEST_CASE("corrupt and truncated archives are IOErrors naming the archive") {
  TempDir dir;
  const Members m = valid_members(dir);
  const std::string whole = slurp(dir / "valid.keras");
  // A byte of config.json changed (members are stored, so it is in the file as written).
  std::string corrupt = whole;
  const size_t at = corrupt.find("\"class_name\"");
  REQUIRE(at != std::string::npos);
  corrupt[at + 1] = 'K';
  spit(dir / "corrupt.keras", corrupt);
  std::string msg = load_error(dir / "corrupt.keras");
  CHECK(msg.find("corrupt.keras") != std::string::npos);
  CHECK(msg.find("CRC mismatch") != std::string::npos);
  for (size_t keep : {size_t{0}, size_t{30}, whole.size() / 2, whole.size() - 10}) {
    CAPTURE(keep);
    spit(dir / "cut.keras", whole.substr(0, keep));
    msg = load_error(dir / "cut.keras");
    CHECK(msg.find("cut.keras") != std::string::npos);
  }
  spit(dir / "text.keras", "a text file\n");
  CHECK(load_error(dir / "text.keras").find("not a zip archive") != std::string::npos);
  CHECK(load_error(dir / "absent.keras").find("absent.keras") != std::string::npos);
}

TEST_CASE("a zip bomb in a .keras is refused before anything is inflated") {
  TempDir dir;
  const Members m = valid_members(dir);
  uint32_t crc = 0;
  // 64 MiB of zeros deflate to about 64 KiB; the member declares 3 GiB.
  RawMember bomb{"model.weights.h5", deflate_zeros(64u << 20, &crc), 8, 0, crc, 3u << 30};
  spit(dir / "bomb.keras", build_zip({stored("config.json", m.config), bomb}));
  const long rss_before = max_rss_kib();
  const std::string msg = load_error(dir / "bomb.keras");
  CHECK(msg.find("bomb.keras") != std::string::npos);
  CHECK(msg.find("'model.weights.h5'") != std::string::npos);
  CHECK(msg.find("refused before inflating") != std::string::npos);
  CHECK(max_rss_kib() - rss_before < 32 * 1024);  // nothing near 3 GiB, nor 64 MiB
  // Tighter limits refuse a smaller archive the same way.
  CHECK_THROWS_WITH_AS(load_keras_archive(dir / "valid.keras", Device::CPU, nullptr,
                                          ZipLimits().max_member_size(100)),
                       doctest::Contains("exceeds the limit of 100"), IOError);
}

TEST_CASE("a config with a cycle, an unknown layer or an unknown tensor names the layer") {
  TempDir dir;
  const Members m = valid_members(dir);
  // hidden reads out and out reads hidden: neither can ever be called.
  std::string msg = load_error(with_config(dir, m, "cycle.keras", [](json& c) {
    for (json& l : c["layers"])
      if (l["name"] == "hidden")
        l["inbound_nodes"][0]["args"][0]["config"]["keras_history"] = {"out", 0, 0};
  }));
  CHECK(msg.find("cycle.keras', member 'config.json'") != std::string::npos);
  CHECK(msg.find("('hidden')") != std::string::npos);
  CHECK(msg.find("cycle") != std::string::npos);

  msg = load_error(with_config(dir, m, "ghost.keras", [](json& c) {
    c["layers"][1]["inbound_nodes"][0]["args"][0]["config"]["keras_history"] = {"ghost", 0, 0};
  }));
  CHECK(msg.find("ghost.keras', member 'config.json'") != std::string::npos);
  CHECK(msg.find("no layer named 'ghost'") != std::string::npos);

  msg = load_error(with_config(dir, m, "class.keras",
                               [](json& c) { c["layers"][1]["class_name"] = "NoSuchLayer"; }));
  CHECK(msg.find("class.keras', member 'config.json'") != std::string::npos);
  CHECK(msg.find("NoSuchLayer") != std::string::npos);

  msg = load_error(with_config(dir, m, "tensor.keras", [](json& c) {
    c["output_layers"] = {"out", 3, 0};  // out was called once
  }));
  CHECK(msg.find("tensor.keras', member 'config.json'") != std::string::npos);
  CHECK(msg.find("no tensor out[3][0]") != std::string::npos);
}

TEST_CASE("weights that do not fit leave a model untouched") {
  TempDir dir;
  const Members m = valid_members(dir);
  set_seed(9);
  Tensor x = Input({3}, "x");
  Model wider(x, Dense(2, "linear", "out")(Dense(5, "relu", "hidden")(x)), "small");
  const TensorList before = wider.get_weights();
  CHECK_THROWS_WITH_AS(wider.load_weights(dir / "valid.keras"),
                       doctest::Contains("does not match weight 'hidden/kernel'"), IOError);
  const TensorList after = wider.get_weights();
  for (size_t i = 0; i < before.size(); ++i)
    CHECK(manifest::max_relative_diff(after[i], before[i]) == 0.0);
}
