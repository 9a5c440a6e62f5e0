// Zip archives: round trips through ZipWriter and ZipReader, and every kind of bad archive a
// .keras loader can meet (missing member, truncated, corrupt, encrypted, zip bombs), each refused
// with an IOError naming the archive, the member and the problem.
#include <doctest/doctest.h>

#include <filesystem>

#include "error_of.h"
#include "framework/core/errors.h"
#include "framework/io/zip_archive.h"
#include "zip_test_util.h"

using namespace nabla;
using namespace nabla::ziptest;
using nabla::testing::error_of;
namespace fs = std::filesystem;

TEST_CASE("zip: a round trip keeps every member's bytes, order and compression") {
  TempDir dir;
  std::string binary(1000, '\0');
  for (size_t i = 0; i < binary.size(); ++i) binary[i] = static_cast<char>(i * 7);
  const std::string big(1 << 20, 'k');  // deflates to almost nothing
  {
    ZipWriter w(dir / "a.keras");
    w.add("metadata.json", R"({"keras_version": "3.15.1"})");
    w.add("config.json", "{}", ZipMethod::kDeflate);
    w.add("model.weights.h5", binary);
    w.add("empty", "");
    w.add("assets/big.bin", big, ZipMethod::kDeflate);
    w.close();
  }
  ZipReader r(dir / "a.keras");
  REQUIRE(r.entries().size() == 5);
  CHECK(r.entries()[0].name == "metadata.json");
  CHECK(r.entries()[2].name == "model.weights.h5");
  CHECK(r.entries()[0].method == 0);
  CHECK(r.entries()[1].method == 8);
  CHECK(r.entry("assets/big.bin").size == big.size());
  CHECK(r.entry("assets/big.bin").compressed_size < 20000);
  CHECK(r.read("metadata.json") == R"({"keras_version": "3.15.1"})");
  CHECK(r.read("config.json") == "{}");
  CHECK(r.read("model.weights.h5") == binary);
  CHECK(r.read("empty").empty());
  CHECK(r.read("assets/big.bin") == big);
  CHECK(r.has("config.json"));
  CHECK_FALSE(r.has("config"));

  r.extract_to("model.weights.h5", dir / "w.h5");
  CHECK(slurp(dir / "w.h5") == binary);
  CHECK_FALSE(fs::exists(dir / "w.h5.part"));
}

TEST_CASE("zip: a missing member names the archive, the member and what is there") {
  TempDir dir;
  ZipWriter w(dir / "m.keras");
  w.add("metadata.json", "{}");
  w.add("model.weights.h5", "x");
  w.close();
  ZipReader r(dir / "m.keras");
  const std::string msg = error_of<IOError>([&] { r.read("config.json"); });
  CHECK(msg.find(dir / "m.keras") != std::string::npos);
  CHECK(msg.find("'config.json'") != std::string::npos);
  CHECK(msg.find("no such member") != std::string::npos);
  CHECK(msg.find("metadata.json, model.weights.h5") != std::string::npos);
  CHECK_FALSE(error_of<IOError>([&] { r.extract_to("config.json", dir / "c.json"); }).empty());
  CHECK_FALSE(fs::exists(dir / "c.json.part"));
}

TEST_CASE("zip: a truncated archive or a file that is not a zip is refused, naming the file") {
  TempDir dir;
  {
    ZipWriter w(dir / "t.keras");
    w.add("config.json", std::string(5000, 'c'), ZipMethod::kDeflate);
    w.add("model.weights.h5", std::string(5000, 'w'));
    w.close();
  }
  const std::string whole = slurp(dir / "t.keras");
  for (size_t keep : {whole.size() - 10, whole.size() / 2, size_t{30}, size_t{0}}) {
    CAPTURE(keep);
    spit(dir / "cut.keras", whole.substr(0, keep));
    const std::string msg = error_of<IOError>([&] { ZipReader r(dir / "cut.keras"); });
    CHECK(msg.find(dir / "cut.keras") != std::string::npos);
    CHECK(msg.find("truncated") != std::string::npos);
  }
  spit(dir / "text.keras", "this is a text file, not a zip archive\n");
  CHECK(error_of<IOError>([&] { ZipReader r(dir / "text.keras"); }).find("not a zip archive") !=
        std::string::npos);
  CHECK(error_of<IOError>([&] { ZipReader r(dir / "absent.keras"); }).find("no such file") !=
        std::string::npos);
  // A directory that declares more stored bytes than the member holds.
  RawMember liar = stored("model.weights.h5", "0123456789");
  liar.data = "01234";  // 5 stored bytes where 10 are declared
  spit(dir / "short.keras", build_zip({liar}));
  const std::string msg =
      error_of<IOError>([&] { ZipReader(dir / "short.keras").read("model.weights.h5"); });
  CHECK(msg.find("'model.weights.h5'") != std::string::npos);
  CHECK(msg.find("corrupt") != std::string::npos);
}

TEST_CASE("zip: a corrupt byte in a member's data is a CRC or inflate error") {
  TempDir dir;
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "layer " + std::to_string(i) + " ";
  for (ZipMethod method : {ZipMethod::kStore, ZipMethod::kDeflate}) {
    {
      ZipWriter w(dir / "c.keras");
      w.add("config.json", text, method);
      w.close();
    }
    std::string bytes = slurp(dir / "c.keras");
    // The data starts after the first local header: 30 bytes, the name, the extra field.
    const size_t name_len = uint8_t(bytes[26]) | uint8_t(bytes[27]) << 8;
    const size_t extra_len = uint8_t(bytes[28]) | uint8_t(bytes[29]) << 8;
    const size_t data = 30 + name_len + extra_len;
    bytes[data + 100] = static_cast<char>(bytes[data + 100] ^ 0x5a);
    spit(dir / "c.keras", bytes);
    const std::string msg =
        error_of<IOError>([&] { ZipReader(dir / "c.keras").read("config.json"); });
    CAPTURE(msg);
    CHECK(msg.find("'config.json'") != std::string::npos);
    if (method == ZipMethod::kStore)
      CHECK(msg.find("CRC mismatch") != std::string::npos);
    else
      CHECK((msg.find("CRC mismatch") != std::string::npos ||
             msg.find("corrupt compressed data") != std::string::npos ||
             msg.find("declared size") != std::string::npos));
  }
}

TEST_CASE("zip: a member declaring a huge size is refused before anything is inflated") {
  TempDir dir;
  uint32_t crc = 0;
  RawMember bomb{"model.weights.h5", deflate_zeros(1 << 20, &crc), 8, 0, crc, 3u << 30};
  spit(dir / "bomb.keras", build_zip({stored("config.json", "{}"), bomb}));
  ZipReader r(dir / "bomb.keras");
  CHECK(r.read("config.json") == "{}");  // the other members stay readable
  const std::string msg = error_of<IOError>([&] { r.read("model.weights.h5"); });
  CHECK(msg.find(dir / "bomb.keras") != std::string::npos);
  CHECK(msg.find("'model.weights.h5'") != std::string::npos);
  CHECK(msg.find("declared uncompressed size of 3221225472 bytes exceeds the limit") !=
        std::string::npos);
  CHECK(msg.find("refused before inflating") != std::string::npos);
  CHECK(error_of<IOError>([&] {
          r.extract_to("model.weights.h5", dir / "w.h5");
        }).find("exceeds") != std::string::npos);
  CHECK_FALSE(fs::exists(dir / "w.h5"));

  // A configurable limit: 1 MiB of zeros is too much for a 64 KiB cap.
  RawMember honest{"model.weights.h5", deflate_zeros(1 << 20, &crc), 8, 0, crc, 1u << 20};
  spit(dir / "mib.keras", build_zip({honest}));
  CHECK(ZipReader(dir / "mib.keras").read("model.weights.h5").size() == (1u << 20));
  ZipReader capped(dir / "mib.keras", ZipLimits().max_member_size(64 << 10));
  CHECK(error_of<IOError>([&] {
          capped.read("model.weights.h5");
        }).find("exceeds the limit of 65536") != std::string::npos);
}

TEST_CASE("zip: a member inflating past its declared size is stopped, in bounded memory") {
  TempDir dir;
  uint32_t crc = 0;
  // 64 MiB of zeros (about 64 KiB deflated) declared as 1000 bytes.
  RawMember liar{"model.weights.h5", deflate_zeros(64u << 20, &crc), 8, 0, crc, 1000};
  spit(dir / "liar.keras", build_zip({liar}));
  const long before = max_rss_kib();
  const std::string msg =
      error_of<IOError>([&] { ZipReader(dir / "liar.keras").read("model.weights.h5"); });
  CAPTURE(msg);
  CHECK(msg.find("'model.weights.h5'") != std::string::npos);
  CHECK((msg.find("more than its declared size of 1000 bytes") != std::string::npos ||
         msg.find("does not match its declared size") != std::string::npos));
  CHECK(max_rss_kib() - before < 32 * 1024);  // far below the 64 MiB it would inflate to
}

TEST_CASE("zip: members declaring more than the total limit are refused when opening") {
  TempDir dir;
  spit(dir / "many.keras",
       build_zip({stored("a", std::string(600, 'a')), stored("b", std::string(600, 'b'))}));
  CHECK(ZipReader(dir / "many.keras", ZipLimits().max_total_size(1200)).read("b").size() == 600);
  const std::string msg =
      error_of<IOError>([&] { ZipReader r(dir / "many.keras", ZipLimits().max_total_size(1000)); });
  CHECK(msg.find(dir / "many.keras") != std::string::npos);
  CHECK(msg.find("more than 1000 bytes uncompressed in all") != std::string::npos);
  CHECK(error_of<IOError>([&] {
          ZipReader r(dir / "many.keras", ZipLimits().max_members(1));
        }).find("lists 2 members") != std::string::npos);
}

TEST_CASE("zip: encrypted members and unsupported compression methods are refused") {
  TempDir dir;
  RawMember encrypted = stored("model.weights.h5", "secret");
  encrypted.flags = 1;  // traditional PKWARE encryption
  spit(dir / "enc.keras", build_zip({encrypted}));
  CHECK(error_of<IOError>([&] {
          ZipReader(dir / "enc.keras").read("model.weights.h5");
        }).find("'model.weights.h5': encrypted members are not supported") != std::string::npos);
  RawMember bzip2 = stored("config.json", "{}");
  bzip2.method = 12;
  spit(dir / "bz.keras", build_zip({bzip2}));
  CHECK(error_of<IOError>([&] {
          ZipReader(dir / "bz.keras").read("config.json");
        }).find("unsupported compression method 12 (bzip2)") != std::string::npos);
}

TEST_CASE("zip: the writer replaces a file only at close, and reports misuse") {
  TempDir dir;
  spit(dir / "good.keras", "an earlier good file");
  {
    ZipWriter abandoned(dir / "good.keras");
    abandoned.add("config.json", "{}");
  }  // never closed: nothing written
  CHECK(slurp(dir / "good.keras") == "an earlier good file");

  ZipWriter w(dir / "good.keras");
  w.add("config.json", "{}");
  CHECK_THROWS_AS(w.add("config.json", "again"), ValueError);
  CHECK_THROWS_AS(w.add("", "x"), ValueError);
  w.close();
  CHECK(ZipReader(dir / "good.keras").read("config.json") == "{}");
  CHECK_THROWS_AS(w.add("late", "x"), StateError);
  CHECK_THROWS_AS(w.close(), StateError);

  ZipWriter empty(dir / "empty.keras");
  CHECK_THROWS_AS(empty.close(), StateError);

  const std::string missing_dir = dir / "no/such/dir/x.keras";
  const std::string msg = error_of<IOError>([&] {
    ZipWriter bad(missing_dir);
    bad.add("config.json", "{}");
    bad.close();
  });
  CHECK(msg.find(missing_dir) != std::string::npos);

  spit(dir / "weights.h5", "HDF5 bytes");
  ZipWriter from_file(dir / "f.keras");
  from_file.add_file("model.weights.h5", dir / "weights.h5", ZipMethod::kDeflate);
  from_file.close();
  CHECK(ZipReader(dir / "f.keras").read("model.weights.h5") == "HDF5 bytes");
}

TEST_CASE("zip: reads a .keras archive written by Keras 3") {
  const std::string path =
      std::string(NABLA_TEST_DATA) + "/keras/functional/keras_adam.keras3.keras";
  ZipReader r(path);
  REQUIRE(r.entries().size() == 3);
  CHECK(r.entries()[0].name == "metadata.json");
  CHECK(r.entries()[1].name == "config.json");
  CHECK(r.entries()[2].name == "model.weights.h5");
  for (const auto& e : r.entries()) CHECK(e.method == 0);  // Keras stores, never deflates
  CHECK(r.read("metadata.json").find(R"("keras_version": "3.15.1")") != std::string::npos);
  CHECK(r.read("config.json").find(R"("class_name": "Functional")") != std::string::npos);
  const std::string weights = r.read("model.weights.h5");
  CHECK(weights.size() == r.entry("model.weights.h5").size);
  CHECK(weights.compare(0, 8, "\x89HDF\r\n\x1a\n") == 0);
}
