// Damaged and hostile Keras HDF5 files: each must end in an IOError naming the file, never in a
// crash, a hang or an allocation the file cannot back. The files are real Keras fixtures with one
// field changed (the variable-length string attributes whose global heap IDs libhdf5 1.10 trusts,
// a dataset's data address), plus the inputs the fuzzers found (tests/data/hostile).
#include <doctest/doctest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "framework/io/hdf5.h"
#include "framework/io/hdf5_memory.h"
#include "framework/nabla.h"
#include "temp_dir.h"

using namespace nabla;
namespace fs = std::filesystem;

namespace {

const fs::path kKeras = fs::path(NABLA_TEST_DATA) / "keras";
const fs::path kHostile = fs::path(NABLA_TEST_DATA) / "hostile";

std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A copy of a fixture with some bytes changed, in a directory removed with the object.
struct Patched {
  std::string bytes;
  testing::TempDir dir;
  fs::path path;
  explicit Patched(const std::string& fixture)
      : bytes(read_bytes(kKeras / fixture)), path(dir / "patched.h5") {
    REQUIRE(!bytes.empty());
  }
  template <class T>
  void put(size_t at, T value) {
    REQUIRE(at + sizeof value <= bytes.size());
    std::memcpy(bytes.data() + at, &value, sizeof value);
  }
  template <class T>
  T get(size_t at) const {
    T v;
    std::memcpy(&v, bytes.data() + at, sizeof v);
    return v;
  }
  // Where the raw data (a global heap ID: length, collection address, index) of the first
  // variable-length string attribute called `name` starts: an attribute message of version 1 is
  // [version, reserved, name size, type size, space size, name, type, space] with every part
  // padded to 8 bytes.
  size_t heap_id_of(const std::string& name) const {
    const size_t at = bytes.find(name + '\0');
    REQUIRE(at != std::string::npos);
    REQUIRE(bytes[at - 8] == 1);
    auto pad = [](uint16_t n) { return (n + 7u) / 8u * 8u; };
    return at + pad(get<uint16_t>(at - 6)) + pad(get<uint16_t>(at - 4)) +
           pad(get<uint16_t>(at - 2));
  }
  std::string write() const {
    std::ofstream(path, std::ios::binary) << bytes;
    return path.string();
  }
};

constexpr const char* kModel = "dense_relu.tfkeras2.model.h5";

// Every load, good or bad, closes what it opened (LeakSanitizer cannot see libhdf5's handles).
struct NoHandlesLeft {
  ~NoHandlesLeft() { CHECK(h5::testing::open_objects() == 0); }
};

}  // namespace

TEST_CASE("the fixture this file patches loads as it is") {
  NoHandlesLeft no_handles_left;
  Patched f(kModel);
  CHECK(load_model(f.write()).count_params() == 15);
  const size_t id = f.heap_id_of("keras_version");
  CHECK(f.get<uint32_t>(id) == 6);  // "2.21.0"
  CHECK(f.bytes.compare(f.get<uint64_t>(id + 4), 4, "GCOL") == 0);
}

TEST_CASE("a string attribute pointing at a global heap object that does not exist") {
  NoHandlesLeft no_handles_left;
  // libhdf5 1.10's H5HG_read only asserts the index: this file crashed `nabla summary`.
  Patched f(kModel);
  f.put<uint32_t>(f.heap_id_of("keras_version") + 12, 0x7fff);
  CHECK_THROWS_WITH_AS(load_model(f.write()),
                       doctest::Contains("global heap object 32767, which its collection does not"),
                       IOError);
}

TEST_CASE("a string attribute pointing outside the file or at something not a heap") {
  NoHandlesLeft no_handles_left;
  Patched f(kModel);
  const size_t id = f.heap_id_of("model_config");
  f.put<uint64_t>(id + 4, uint64_t{1} << 40);
  CHECK_THROWS_WITH_AS(load_model(f.write()), doctest::Contains("lies outside the file"), IOError);
  f.put<uint64_t>(id + 4, 96);  // the root group's object header
  CHECK_THROWS_WITH_AS(load_model(f.write()),
                       doctest::Contains("which is not a global heap collection"), IOError);
}

TEST_CASE("a string longer than its heap object, and a heap larger than the file") {
  NoHandlesLeft no_handles_left;
  Patched f(kModel);
  const size_t id = f.heap_id_of("model_config");
  const uint32_t length = f.get<uint32_t>(id);
  f.put<uint32_t>(id, length + 4096);
  CHECK_THROWS_WITH_AS(load_model(f.write()),
                       doctest::Contains("a string longer than its global heap object"), IOError);
  f.put<uint32_t>(id, length);
  const uint64_t heap = f.get<uint64_t>(id + 4);
  f.put<uint64_t>(heap + 8, uint64_t{1} << 40);  // the collection's size
  CHECK_THROWS_WITH_AS(load_model(f.write()), doctest::Contains("lies outside the file"), IOError);
}

TEST_CASE("a weight whose data lies past the end of the file") {
  NoHandlesLeft no_handles_left;
  // The layout message of a contiguous dataset (version 3): 3, 1, address, size. The kernel of
  // Dense(3) on 4 inputs is 48 bytes.
  Patched f(kModel);
  size_t at = 0;
  for (size_t i = 0; i + 18 <= f.bytes.size(); ++i)
    if (f.bytes[i] == 3 && f.bytes[i + 1] == 1 && f.get<uint64_t>(i + 10) == 48) at = i;
  REQUIRE(at != 0);
  f.put<uint64_t>(at + 2, f.bytes.size() - 8);
  CHECK_THROWS_WITH_AS(
      load_model(f.write()),
      doctest::Contains(("lies outside the file of " + std::to_string(f.bytes.size())).c_str()),
      IOError);
}

TEST_CASE("an object header whose continuation points back at itself") {
  NoHandlesLeft no_handles_left;
  Patched f(kModel);
  // The model_weights group's first continuation message: type 0x10, 16 bytes of data.
  const size_t first = f.bytes.find(std::string("\x10\x00\x10\x00", 4), 200);
  REQUIRE(first != std::string::npos);
  const uint64_t target = f.get<uint64_t>(first + 8);
  // Point the block it leads to back at itself: a cycle of continuation blocks.
  size_t second = f.bytes.find(std::string("\x10\x00\x10\x00", 4), target);
  if (second != std::string::npos && second < target + f.get<uint64_t>(first + 16)) {
    f.put<uint64_t>(second + 8, target);
    CHECK_THROWS_AS(load_model(f.write()), IOError);
  }
}

TEST_CASE("every input in tests/data/hostile ends in a typed error, not a crash") {
  NoHandlesLeft no_handles_left;
  // tests/data/hostile/README.md says where each came from and what was wrong. The run config
  // (*.config.json) is read by `nabla train` in tests/test_cli.cc.
  REQUIRE(fs::is_directory(kHostile));
  int files = 0;
  for (const auto& entry : fs::directory_iterator(kHostile)) {
    const std::string path = entry.path().string();
    const std::string name = entry.path().filename().string();
    auto ends = [&](const std::string& tail) {
      return name.size() >= tail.size() &&
             name.compare(name.size() - tail.size(), tail.size(), tail) == 0;
    };
    CAPTURE(name);
    if (ends(".h5")) {
      CHECK_THROWS_AS(load_model(path), Error);
      // load_weights reads less of the file (not the root's strings): it may succeed, but only
      // with a typed error otherwise.
      Sequential weights({Input({4}), Dense(3, "relu", "dense")});
      try {
        weights.load_weights(path);
      } catch (const Error&) {
      }
    } else if (ends(".npy")) {
      CHECK_THROWS_AS(load_npy(path), IOError);
    } else if (ends(".csv")) {
      CHECK_THROWS_AS(csv_features_labels(read_csv(path), path, "-1"), ValueError);
    } else if (ends(".graph.json")) {
      CHECK_THROWS_AS(graph_from_json(read_bytes(path)), ValueError);
    } else {
      continue;
    }
    ++files;
  }
  CHECK(files >= 8);
}

TEST_CASE("an attribute whose datatype has 0 bytes is refused, not read through a null pointer") {
  NoHandlesLeft no_handles_left;
  const std::string path = (kHostile / "keras_h5-string_of_zero_bytes.h5").string();
  Sequential model({Input({4}), Dense(3, "relu", "dense")});
  CHECK_THROWS_WITH_AS(model.load_weights(path), doctest::Contains("a datatype of 0 bytes"),
                       IOError);
  CHECK_THROWS_WITH_AS(model.load_weights(path), doctest::Contains(path.c_str()), IOError);
}

TEST_CASE("in-memory images (a .keras archive's weights) get the checks of files on disk") {
  NoHandlesLeft no_handles_left;
  // The bad heap index crashed libhdf5 through a file; as an image it must fail as cleanly.
  const std::string bad = read_bytes(kHostile / "keras_version_bad_heap_index.h5");
  h5::Group root = h5::open_image(bad, "m.keras/model.weights.h5");
  CHECK_THROWS_WITH_AS(root.get_string("keras_version"),
                       doctest::Contains("m.keras/model.weights.h5"), IOError);
  // An image cut short: its object headers lie outside it, found before libhdf5 reads them.
  const std::string good = read_bytes(kKeras / "dense_relu.tfkeras2.model.h5");
  CHECK_THROWS_AS(h5::open_image(good.substr(0, 1200), "cut.h5"), IOError);
  CHECK(h5::open_image(good, "good.h5").get_string("keras_version").size() > 0);
}
