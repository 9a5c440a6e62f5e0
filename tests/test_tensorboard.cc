// TensorBoard event files: CRC-32C, TFRecord framing, histogram buckets and scalar/histogram/
// graph events, each read back with the independent reader in tfevent_reader.h.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <regex>

#include "framework/core/errors.h"
#include "framework/tensorboard/crc32c.h"
#include "framework/tensorboard/event_writer.h"
#include "framework/tensorboard/histogram.h"
#include "framework/tensorboard/record_writer.h"
#include "temp_dir.h"
#include "tfevent_reader.h"

namespace fs = std::filesystem;
using namespace nabla;
using nabla::testing::TempDir;
using namespace nabla::tensorboard;

namespace {

std::string bytes(std::initializer_list<int> values) {
  std::string s;
  for (int v : values) s.push_back(static_cast<char>(v));
  return s;
}

}  // namespace

TEST_CASE("CRC-32C matches the published check values (RFC 3720) and the bitwise definition") {
  CHECK(crc32c("") == 0u);
  CHECK(crc32c("123456789") == 0xE3069283u);
  CHECK(crc32c(std::string(32, '\0')) == 0x8A9136AAu);
  CHECK(crc32c(std::string(32, '\xFF')) == 0x62A8AB43u);
  std::string up, down;
  for (int i = 0; i < 32; ++i) up.push_back(static_cast<char>(i)), down.push_back(char(31 - i));
  CHECK(crc32c(up) == 0x46DD794Eu);
  CHECK(crc32c(down) == 0x113FDB5Cu);
  // Continuing a checksum equals checksumming the whole.
  CHECK(crc32c("56789", 5, crc32c("1234")) == 0xE3069283u);
  // Arbitrary bytes against the test's own bit-at-a-time implementation.
  std::string noise;
  for (int i = 0; i < 1000; ++i) noise.push_back(static_cast<char>((i * 7919 + 13) & 0xFF));
  CHECK(crc32c(noise) == tfevents::crc32c_bitwise(noise));
  // TFRecord's mask: rotate right 15, add 0xa282ead8.
  CHECK(mask_crc(0) == 0xa282ead8u);
  CHECK(mask_crc(0xE3069283u) == tfevents::masked(0xE3069283u));
}

TEST_CASE("RecordWriter frames records with lengths and masked CRCs, and appends") {
  TempDir dir;
  const fs::path file = dir.path / "records";
  {
    RecordWriter w(file.string());
    w.write("hello");
    w.write("");
    w.write(std::string(3000, 'x'));
  }
  {
    RecordWriter again(file.string());  // opening again appends: nothing earlier is lost
    again.write("more");
  }
  const auto records = tfevents::read_records(file);
  REQUIRE(records.size() == 4);
  CHECK(records[0] == "hello");
  CHECK(records[1].empty());
  CHECK(records[2] == std::string(3000, 'x'));
  CHECK(records[3] == "more");
  // The first record byte for byte: length 5, masked CRC of the length, data, masked CRC.
  std::ifstream in(file, std::ios::binary);
  std::string head(8 + 4 + 5 + 4, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  CHECK(head.substr(0, 8) == bytes({5, 0, 0, 0, 0, 0, 0, 0}));
  CHECK(tfevents::le(head, 8, 4) == masked_crc32c(head.substr(0, 8)));
  CHECK(head.substr(12, 5) == "hello");
  CHECK(tfevents::le(head, 17, 4) == masked_crc32c("hello"));
}

TEST_CASE("a damaged record fails the reader's CRC check") {
  TempDir dir;
  const fs::path file = dir.path / "records";
  RecordWriter(file.string()).write("payload");
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(13);
  f.put('P');  // "payload" -> "pPyload"
  f.close();
  CHECK_THROWS_WITH_AS(tfevents::read_records(file), doctest::Contains("bad data CRC"),
                       std::runtime_error);
}

TEST_CASE("write failures are IOErrors naming the file and the system's reason") {
  TempDir dir;
  SUBCASE("a full disk") {
    if (!fs::exists("/dev/full")) return;  // Linux's always-full device
    RecordWriter w("/dev/full");
    w.write("data");
    CHECK_THROWS_WITH_AS(w.flush(), doctest::Contains("'/dev/full': No space left on device"),
                         IOError);
  }
  SUBCASE("a log directory that cannot be made") {
    std::ofstream(dir.path / "file") << "a file, not a directory";
    const std::string bad = (dir.path / "file" / "train").string();
    CHECK_THROWS_WITH_AS(EventFileWriter{bad}, doctest::Contains(("'" + bad + "'").c_str()),
                         IOError);
  }
  SUBCASE("a file in a missing directory") {
    const std::string bad = (dir.path / "missing" / "records").string();
    CHECK_THROWS_WITH_AS(RecordWriter{bad},
                         doctest::Contains(("'" + bad + "': No such file or directory").c_str()),
                         IOError);
  }
}

TEST_CASE("histogram buckets follow tf.summary.histogram") {
  std::vector<double> v;
  for (int i = 0; i < 100; ++i) v.push_back(i);
  auto b = histogram_buckets(v, 10);
  REQUIRE(b.size() == 10);
  CHECK(b[0].left == 0.0);
  CHECK(b[9].right == 99.0);
  double total = 0;
  for (const auto& bucket : b) total += bucket.count;
  CHECK(total == 100.0);
  CHECK(b[0].count == 10.0);  // 0..9 (width 9.9)
  CHECK(b[9].count == 10.0);  // the maximum falls into the last bucket
  SUBCASE("one value repeated: zero-width buckets with the count in the last") {
    auto same = histogram_buckets(std::vector<double>(7, 0.25), 30);
    REQUIRE(same.size() == 30);
    CHECK(same[0].left == 0.25);
    CHECK(same[0].right == 0.25);
    CHECK(same[29].count == 7.0);
    CHECK(same[0].count == 0.0);
  }
  SUBCASE("no finite values: all-zero buckets; NaN and infinities are left out") {
    const auto none = histogram_buckets(std::vector<double>{});
    REQUIRE(none.size() == 30);
    CHECK(none[29].count == 0.0);
    CHECK(none[29].right == 0.0);
    CHECK(histogram_buckets(std::vector<double>{NAN, INFINITY}, 5).size() == 5);
    auto some = histogram_buckets(std::vector<double>{1, NAN, 2, -INFINITY}, 2);
    CHECK(some[0].count + some[1].count == 2.0);
  }
  CHECK_THROWS_AS(histogram_buckets(v, 0), ValueError);
}

TEST_CASE("an event file holds file_version, then scalars, histograms and a graph") {
  TempDir dir;
  const fs::path run = dir.path / "logs" / "train";  // made by the writer, parents included
  std::string path;
  {
    EventFileWriter w(run.string());
    path = w.path();
    w.add_scalar("epoch_loss", 0.5, 0);
    w.add_scalar("epoch_loss", 0.25, 1);
    w.add_histogram("dense/kernel/histogram", std::vector<double>{-1, 0, 0, 1}, 1, 4);
    w.add_graph(std::string("\x0a\x03\x0a\x01x", 5), 0);  // GraphDef{node {name: "x"}}
    w.add_keras_model("keras", "{\"class_name\": \"Sequential\"}");
    w.flush();
  }
  // TensorFlow's name: events.out.tfevents.<10-digit seconds>.<host>.<pid>.<n>.v2
  const std::string name = fs::path(path).filename().string();
  CAPTURE(name);
  CHECK(fs::path(path).parent_path() == run);
  CHECK(std::regex_match(name, std::regex(R"(events\.out\.tfevents\.\d{10}\..+\.)" +
                                          std::to_string(getpid()) + R"(\.\d+\.v2)")));
  const auto events = tfevents::read_events(path);
  REQUIRE(events.size() == 6);
  CHECK(events[0].file_version == "brain.Event:2");
  CHECK(std::fabs(events[0].wall_time - wall_time_now()) < 600);

  const auto& loss = events[2].values.at(0);
  CHECK(loss.tag == "epoch_loss");
  CHECK(loss.plugin == "scalars");
  CHECK(loss.data_class == 1);  // DATA_CLASS_SCALAR
  CHECK(loss.dtype == 1);       // DT_FLOAT
  CHECK(loss.shape.empty());
  CHECK(tfevents::scalars(events, "epoch_loss") == std::map<int64_t, double>{{0, 0.5}, {1, 0.25}});

  const auto& hist = events[3].values.at(0);
  CHECK(events[3].step == 1);
  CHECK(hist.tag == "dense/kernel/histogram");
  CHECK(hist.plugin == "histograms");
  CHECK(hist.dtype == 2);  // DT_DOUBLE
  CHECK(hist.shape == std::vector<int64_t>{4, 3});
  CHECK(hist.numbers() == std::vector<double>{-1, -0.5, 1, -0.5, 0, 0, 0, 0.5, 2, 0.5, 1, 1});

  CHECK(events[4].graph_def == std::string("\x0a\x03\x0a\x01x", 5));
  const auto& keras = events[5].values.at(0);
  CHECK(keras.plugin == "graph_keras_model");
  CHECK(keras.plugin_content == "1");
  CHECK(keras.dtype == 7);  // DT_STRING
  CHECK(keras.strings == std::vector<std::string>{"{\"class_name\": \"Sequential\"}"});
}

TEST_CASE("a second writer in the same directory makes a new file and keeps the first") {
  TempDir dir;
  std::string first_path;
  {
    EventFileWriter first(dir.path.string());
    first_path = first.path();
    first.add_scalar("a", 1, 0);
  }
  const auto before = tfevents::read_records(first_path);
  EventFileWriter second(dir.path.string());
  second.add_scalar("a", 2, 0);
  second.close();
  CHECK(second.path() != first_path);
  CHECK(tfevents::event_files(dir.path).size() == 2);
  CHECK(tfevents::read_records(first_path) == before);
  CHECK_THROWS_AS(second.add_scalar("a", 3, 1), StateError);
}
