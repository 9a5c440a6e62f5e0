// The data loaders on good and bad files: CSV numbers (non-finite and non-decimal cells, byte-order
// marks, line numbers after blank lines), .npy (sizes checked before allocating, saturating
// conversion, as the Cast op's) and IDX (sizes checked before allocating).
#include <doctest/doctest.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

#include "framework/nabla.h"

using namespace nabla;
namespace fs = std::filesystem;

namespace {

// A file in a scratch folder removed with the fixture.
struct Files {
  fs::path dir = fs::temp_directory_path() /
                 ("nabla_files_" + std::to_string(getpid()) + "_" + std::to_string(rand()));
  Files() { fs::create_directories(dir); }
  ~Files() { fs::remove_all(dir); }
  std::string write(const std::string& name, const std::string& bytes) const {
    std::ofstream(dir / name, std::ios::binary) << bytes;
    return (dir / name).string();
  }
};

std::string npy_bytes(const std::string& descr, const std::string& shape, const std::string& data,
                      int version = 1) {
  std::string header =
      "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  header += std::string(63 - (header.size() + (version == 1 ? 10 : 12)) % 64, ' ') + "\n";
  std::string out = std::string("\x93NUMPY", 6) + char(version) + '\0';
  const uint32_t len = static_cast<uint32_t>(header.size());
  out += std::string(reinterpret_cast<const char*>(&len), version == 1 ? 2 : 4);
  return out + header + data;
}

template <class T>
std::string raw(std::initializer_list<T> values) {
  std::string s;
  for (T v : values) s.append(reinterpret_cast<const char*>(&v), sizeof v);
  return s;
}

LabeledData load_csv(const Files& f, const std::string& text, const std::string& label = "y",
                     bool allow = false) {
  const std::string path = f.write("t.csv", text);
  return csv_features_labels(read_csv(path), path, label, nullptr,
                             CsvOptions().allow_non_finite(allow));
}

}  // namespace

TEST_CASE("CSV cells that are not finite decimals are rejected with the file, line and column") {
  Files f;
  struct Case {
    const char* cell;
    const char* says;
  };
  for (const Case& c :
       {Case{"nan", "is not a finite float32 number"},
        Case{"-inf", "is not a finite float32 number"},
        Case{"Infinity", "is not a finite float32 number"},
        Case{"1e400", "is not a finite float32 number"},
        Case{"1e39", "is not a finite float32 number"}, Case{"0x1A", "is not a decimal number"},
        Case{"0x1p3", "is not a decimal number"}, Case{"12abc", "is not a number"}}) {
    CAPTURE(c.cell);
    const std::string text = std::string("a,b,y\n1,2,0\n3,") + c.cell + ",1\n";
    CHECK_THROWS_WITH_AS(
        load_csv(f, text),
        doctest::Contains(
            (std::string("t.csv' line 3, column 'b': '") + c.cell + "' " + c.says).c_str()),
        ValueError);
  }
  // A label column of numbers with a NaN is numeric (not class names) and so an error too.
  CHECK_THROWS_WITH_AS(load_csv(f, "a,y\n1,0\n2,nan\n"),
                       doctest::Contains("line 3, column 'y': 'nan'"), ValueError);
  CHECK_THROWS_WITH_AS(load_csv(f, "a,y\n1,0\n2,0x1A\n"),
                       doctest::Contains("line 3, column 'y': '0x1A' is not a decimal number"),
                       ValueError);
}

TEST_CASE("allow_non_finite accepts NaN, infinities and values beyond float32's range") {
  Files f;
  const LabeledData d = load_csv(f, "a,b,y\nnan,-inf,1e400\n1e-400,2.5e1,inf\n", "y", true);
  const float* x = d.x.data<float>();
  CHECK(std::isnan(x[0]));
  CHECK(x[1] == -std::numeric_limits<float>::infinity());
  CHECK(x[2] == 0.f);  // 1e-400 underflows to zero: finite, always accepted
  CHECK(x[3] == 25.f);
  CHECK(d.y.data<float>()[0] == std::numeric_limits<float>::infinity());
  CHECK(std::isinf(d.y.data<float>()[1]));
  // Hexadecimal stays an error: allow_non_finite is about non-finite values only.
  CHECK_THROWS_WITH_AS(load_csv(f, "a,y\n0x10,1\n", "y", true),
                       doctest::Contains("is not a decimal number"), ValueError);
}

TEST_CASE("plain decimals in every spelling still read") {
  Files f;
  const LabeledData d = load_csv(f, "a,b,c,y\n+1,-.5,3.,2E2\n1e-3, 7 ,\"0.25\",-0\n");
  const float* x = d.x.data<float>();
  CHECK(x[0] == 1.f);
  CHECK(x[1] == -0.5f);
  CHECK(x[2] == 3.f);
  CHECK(x[3] == doctest::Approx(1e-3));
  CHECK(x[4] == 7.f);
  CHECK(x[5] == 0.25f);
  CHECK(d.y.data<float>()[0] == 200.f);
  CHECK(d.classes.empty());
}

TEST_CASE("a UTF-8 byte-order mark is not part of the first column's name") {
  Files f;
  const std::string path = f.write("bom.csv", "\xEF\xBB\xBFx1,x2,species\n1,2,a\n3,4,b\n");
  const CsvTable t = read_csv(path);
  CHECK(t.header[0] == "x1");
  const LabeledData d = csv_features_labels(t, path, "species");
  CHECK(d.feature_names == std::vector<std::string>{"x1", "x2"});
  CHECK(d.x.to_vector<float>() == std::vector<float>{1, 2, 3, 4});
  // ...so a model trained on it finds "x1" in a file without a mark (nabla predict).
  CHECK(
      csv_features_labels(read_csv(f.write("plain.csv", "x1,x2\n5,6\n")), path, "").feature_names ==
      d.feature_names);
}

TEST_CASE("CSV line numbers count blank lines") {
  Files f;
  const std::string text = "\n\na,y\n\n1,0\n\n\n2,zz\n3,x\n";
  const std::string path = f.write("blank.csv", text);
  const CsvTable t = read_csv(path);
  REQUIRE(t.lines.size() == 3);
  CHECK(t.lines[0] == 5);
  CHECK(t.lines[1] == 8);
  CHECK_THROWS_WITH_AS(csv_features_labels(t, path, "a"),
                       doctest::Contains("line 8, column 'y': 'zz' is not a number"), ValueError);
  CHECK_THROWS_WITH_AS(read_csv(f.write("cols.csv", "a,y\n\n1,0\n\n1,2,3\n")),
                       doctest::Contains("line 5: 3 columns"), IOError);
  const std::vector<std::string> classes{"0", "1"};
  CHECK_THROWS_WITH_AS(
      csv_features_labels(read_csv(f.write("c.csv", "a,y\n\n1,0\n\n2,7\n")), path, "y", &classes),
      doctest::Contains("line 5: label '7' is not one of the training classes"), ValueError);
}

TEST_CASE(".npy headers are checked against the file before anything is allocated") {
  Files f;
  // 37 bytes: an unknown format version whose 4-byte header length would be 4 GiB.
  std::string v9 = std::string("\x93NUMPY\x09\x00\xff\xff\xff\xff", 12) + std::string(25, ' ');
  CHECK_THROWS_WITH_AS(load_npy(f.write("v9.npy", v9)),
                       doctest::Contains("unknown .npy format version 9"), IOError);
  std::string v2 = std::string("\x93NUMPY\x02\x00\xff\xff\xff\xff", 12) + std::string(25, ' ');
  CHECK_THROWS_WITH_AS(load_npy(f.write("v2.npy", v2)),
                       doctest::Contains("header claims 4294967295 bytes but the file has 37"),
                       IOError);
  CHECK_THROWS_WITH_AS(
      load_npy(f.write("short.npy", npy_bytes("<f4", "(1000000, 1000000)", "abcd"))),
      doctest::Contains("is shorter than its shape"), IOError);
  CHECK_THROWS_WITH_AS(
      load_npy(f.write("huge.npy", npy_bytes("<f4", "(4611686018427387904, 4)", ""))),
      doctest::Contains("too many elements"), IOError);
  CHECK_THROWS_WITH_AS(
      load_npy(f.write("dims.npy", npy_bytes("<f4", "(99999999999999999999,)", ""))),
      doctest::Contains("a dimension too large"), IOError);
  CHECK_THROWS_WITH_AS(load_npy(f.write("c16.npy", npy_bytes("<c16", "(1,)", std::string(16, 0)))),
                       doctest::Contains("unsupported dtype"), IOError);
  CHECK_THROWS_WITH_AS(load_npy(f.write("f8be.npy", npy_bytes(">f8", "(1,)", std::string(8, 0)))),
                       doctest::Contains("big-endian"), IOError);
  // A long header is parsed without regular expressions (no deep recursion).
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': '" +
                       std::string(500000, 'a') + "'}\n";
  std::string big = std::string("\x93NUMPY\x02\x00", 8);
  const uint32_t len = static_cast<uint32_t>(header.size());
  big.append(reinterpret_cast<const char*>(&len), 4);
  CHECK(load_npy(f.write("long.npy", big + header + raw<float>({2.5f}))).item<float>() == 2.5f);
}

TEST_CASE(".npy values convert to int32 as TensorFlow's saturating cast does") {
  Files f;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::string path = f.write(
      "f.npy", npy_bytes("<f4", "(6,)", raw<float>({1.9f, -1.9f, 3e9f, -3e9f, nan, INFINITY})));
  const Tensor t = load_npy(path, DType::Int32);
  CHECK(t.dtype() == DType::Int32);
  const std::vector<int32_t> want{1, -1, 2147483647, -2147483648, 0, 2147483647};
  CHECK(t.to_vector<int32_t>() == want);
  const Tensor i64 = load_npy(
      f.write("i.npy",
              npy_bytes("<i8", "(3,)", raw<int64_t>({int64_t{1} << 40, -(int64_t{1} << 40), 7}))),
      DType::Int32);
  CHECK(i64.to_vector<int32_t>() == std::vector<int32_t>{2147483647, -2147483648, 7});
  const Tensor u64 = load_npy(
      f.write("u.npy", npy_bytes("<u8", "(2,)", raw<uint64_t>({~uint64_t{0}, 5}))), DType::Int64);
  CHECK(u64.to_vector<int64_t>() == std::vector<int64_t>{std::numeric_limits<int64_t>::max(), 5});
  const Tensor f32 = load_npy(path);
  CHECK(f32.to_vector<float>()[2] == 3e9f);
  CHECK(std::isnan(f32.to_vector<float>()[4]));
}

TEST_CASE("the Cast op saturates out-of-range floats and maps NaN to 0, as the .npy loader does") {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const Tensor x =
      Tensor::from_vector<float>({1.9f, -1.9f, 3e9f, -3e9f, nan, INFINITY, -INFINITY}, {7});
  CHECK(cast(x, DType::Int32).to_vector<int32_t>() ==
        std::vector<int32_t>{1, -1, 2147483647, -2147483648, 0, 2147483647, -2147483648});
  CHECK(cast(x, DType::Int64).to_vector<int64_t>()[2] == 3000000000);
  CHECK(cast(x, DType::Int64).to_vector<int64_t>()[4] == 0);
  const Tensor wide = Tensor::from_vector<double>({1e300, -1e300, 0.5}, {3});
  const std::vector<float> narrowed = cast(wide, DType::Float32).to_vector<float>();
  CHECK(narrowed[0] == INFINITY);
  CHECK(narrowed[1] == -INFINITY);
  CHECK(narrowed[2] == 0.5f);
}

TEST_CASE("IDX headers are checked against the data before the tensor is allocated") {
  Files f;
  // 65535^3 bytes claimed, 3 present: an error before anything of that size is allocated.
  const std::string header("\0\0\x08\x03\0\0\xff\xff\0\0\xff\xff\0\0\xff\xff", 16);
  CHECK_THROWS_WITH_AS(
      load_idx(f.write("big.idx", header + "abc")),
      doctest::Contains("IDX header says 281462092005375 values but the file holds 3"), IOError);
  const std::string overflow = std::string("\0\0\x08\x04", 4) + std::string(16, '\xff');
  CHECK_THROWS_WITH_AS(load_idx(f.write("overflow.idx", overflow)),
                       doctest::Contains("dimensions multiply past 2^62"), IOError);
  const std::string many("\0\0\x08\x09", 4);
  CHECK_THROWS_WITH_AS(load_idx(f.write("rank.idx", many)), doctest::Contains("9 dimensions"),
                       IOError);
  const std::string ok = std::string("\0\0\x08\x02\0\0\0\x02\0\0\0\x02", 12) + "\x01\x02\x03\x04";
  CHECK(load_idx(f.write("ok.idx", ok), DType::Int32).to_vector<int32_t>() ==
        std::vector<int32_t>{1, 2, 3, 4});
  CHECK_THROWS_WITH_AS(load_idx(f.write("extra.idx", ok + "x")),
                       doctest::Contains("more data than its IDX header says"), IOError);
}
