// Every file nabla writes is all or nothing: a full disk, a file-size limit or a killed save
// never damages the file that was there before, errors name the file and the cause, and orphaned
// temporary files of killed saves are cleaned up by the next save.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "error_of.h"
#include "fault_injection.h"
#include "framework/nabla.h"

using namespace nabla;
using namespace nabla::testing;
namespace fs = std::filesystem;

namespace {

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

Sequential model_of_width(int units) {
  set_seed(3);
  Sequential m({Input({8}), Dense(units, "relu"), Dense(2)});
  m.compile("adam", "mse");
  return m;
}

int files_in(const fs::path& dir) {
  int n = 0;
  for (const auto& e : fs::directory_iterator(dir)) n += e.is_regular_file();
  return n;
}

}  // namespace

TEST_CASE("a full disk fails the save with the file and the cause, and keeps the old file") {
  SmallDisk disk(192 * 1024);
  if (!disk.mounted) {
    MESSAGE(
        "skipped the tmpfs case: this process may not mount (not root); the file-size-limit "
        "case below covers the same path");
    return;
  }
  const fs::path file = disk.path / "model.h5";
  Sequential small = model_of_width(4);
  small.save(file.string());
  const std::string before = read_file(file);
  const fs::path filler = disk.fill();

  Sequential big = model_of_width(512);  // ~20 KB of weights: cannot fit any more
  const std::string error = error_of<IOError>([&] { big.save(file.string()); });
  CHECK_MESSAGE(error.find("model.h5") != std::string::npos, error);
  CHECK_MESSAGE(error.find("No space left on device") != std::string::npos, error);
  CHECK(read_file(file) == before);
  CHECK(files_in(disk.path) == 2);  // model.h5 and the filler: no temporary file left
  CHECK_THROWS_WITH_AS(write_text_atomically((disk.path / "metrics.json").string(), "{}\n"),
                       doctest::Contains("No space left on device"), IOError);
  CHECK_FALSE(fs::exists(disk.path / "metrics.json"));

  fs::remove(filler);
  big.save(file.string());
  CHECK(load_model(file.string()).count_params() == big.count_params());
}

TEST_CASE("a file-size limit fails HDF5 and text saves cleanly (EFBIG), in a child process") {
  const fs::path dir = fs::temp_directory_path() / ("nabla_fsize_" + std::to_string(getpid()));
  fs::create_directories(dir);
  const fs::path file = dir / "model.h5";
  model_of_width(4).save(file.string());
  write_text_atomically((dir / "history.csv").string(), "epoch,loss\n0,1\n");
  const std::string model_before = read_file(file), csv_before = read_file(dir / "history.csv");

  const int code = with_file_size_limit(8 * 1024, [&] {
    auto names = [](const std::string& error, const char* file) {
      return error.find(file) != std::string::npos &&
             error.find("File too large") != std::string::npos;
    };
    const std::string h5 = error_of<IOError>([&] { model_of_width(512).save(file.string()); });
    const std::string csv = error_of<IOError>([&] {
      write_text_atomically((dir / "history.csv").string(), std::string(64 * 1024, 'x'));
    });
    return int{names(h5, "model.h5")} + int{names(csv, "history.csv")};
  });
  CHECK(code == 2);  // both saves failed with a message naming the file and EFBIG
  CHECK(read_file(file) == model_before);
  CHECK(read_file(dir / "history.csv") == csv_before);
  CHECK(files_in(dir) == 2);
  fs::remove_all(dir);
}

TEST_CASE("orphaned temporary files of killed saves are removed by the next save") {
  const fs::path dir = fs::temp_directory_path() / ("nabla_orphans_" + std::to_string(getpid()));
  fs::create_directories(dir);
  // The PID of a process that has exited: its temporary file is an orphan.
  const pid_t gone = fork();
  if (gone == 0) _exit(0);
  waitpid(gone, nullptr, 0);
  const fs::path orphan = dir / (".model.h5.tmp-" + std::to_string(gone) + "-0");
  const fs::path live = dir / (".model.h5.tmp-" + std::to_string(getppid()) + "-0");
  const fs::path other = dir / (".other.h5.tmp-" + std::to_string(gone) + "-0");
  for (const fs::path& p : {orphan, live, other}) std::ofstream(p) << "partial";

  model_of_width(4).save((dir / "model.h5").string());
  CHECK_FALSE(fs::exists(orphan));
  CHECK(fs::exists(live));   // a save in progress in a running process is left alone
  CHECK(fs::exists(other));  // another file's temporaries are that file's business
  fs::remove_all(dir);
}

TEST_CASE("CSVLogger keeps its rows through a failed write and appends like Keras") {
  const fs::path dir = fs::temp_directory_path() / ("nabla_csvlog_" + std::to_string(getpid()));
  fs::create_directories(dir);
  const std::string path = (dir / "log.csv").string();
  auto [x, y] = std::pair{Tensor::random_normal({16, 8}, 0, 1, 1), Tensor::zeros({16, 2})};
  Sequential m = model_of_width(4);
  m.fit(x, y, FitOptions().epochs(2).verbose(0).callbacks({std::make_shared<CSVLogger>(path)}));
  const std::string two = read_file(path);
  CHECK(two.rfind("epoch,", 0) == 0);
  m.fit(x, y,
        FitOptions().epochs(1).verbose(0).callbacks(
            {std::make_shared<CSVLogger>(path, ',', /*append=*/true)}));
  const std::string three = read_file(path);
  CHECK(three.substr(0, two.size()) == two);
  CHECK(std::count(three.begin(), three.end(), '\n') == 4);  // one header, three rows
  fs::remove_all(dir);
}
