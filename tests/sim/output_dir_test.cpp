// OutputDir and AtomicFile: files appear whole at Commit (the marker last) or not at all, an
// earlier run's files and temporaries are removed at the start, a second writer is refused, and
// every error names the file and the system's reason.
#include "sim/output/output_dir.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "tests/support/input_error.h"
#include "tests/support/temp_dir.h"

namespace servesim {
namespace {

namespace fs = std::filesystem;
using testing::ExpectInputError;
using testing::TempDir;

const std::vector<std::string> kFamily = {"summary.json", "requests.csv", "steps.csv"};

// The names in `dir`, hidden ones included.
std::set<std::string> Names(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.insert(e.path().filename().string());
  return names;
}

std::string Read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Temp(const std::string& name) { return TempFileName(name, ::getpid()); }

TEST_CASE("OutputDir: files stream into temporaries and appear only at Commit", "[output_dir]") {
  TempDir t;
  const fs::path dir = t.path() / "out" / "nested";  // created with its parents
  {
    OutputDir out(dir, kFamily, "summary.json");
    out.Open("requests.csv") << "id\n1\n";
    out.Write("summary.json", "{}\n");
    CHECK(Names(dir) ==
          std::set<std::string>{kOutputLockName, Temp("requests.csv"), Temp("summary.json")});
    out.Commit();
    CHECK(Names(dir) == std::set<std::string>{kOutputLockName, "requests.csv", "summary.json"});
  }
  // The lock goes with the object; steps.csv, never opened, stays absent.
  CHECK(Names(dir) == std::set<std::string>{"requests.csv", "summary.json"});
  CHECK(Read(dir / "requests.csv") == "id\n1\n");
  CHECK(Read(dir / "summary.json") == "{}\n");
}

TEST_CASE("OutputDir: a run that fails before Commit leaves none of the family", "[output_dir]") {
  TempDir t;
  t.Write("summary.json", "{\"old\": 1}\n");
  t.Write("requests.csv", "old\n");
  t.Write("steps.csv", "old\n");
  t.Write(".steps.csv.tmp-999999", "a killed run's\n");
  t.Write("notes.txt", "not ours\n");
  {
    OutputDir out(t.path(), kFamily, "summary.json");
    // The earlier run's files and a killed run's temporary are gone at once.
    CHECK(Names(t.path()) == std::set<std::string>{kOutputLockName, "notes.txt"});
    out.Open("requests.csv") << "partial";
  }  // destroyed without Commit, as when an exception unwinds
  CHECK(Names(t.path()) == std::set<std::string>{"notes.txt"});
}

TEST_CASE("OutputDir: a second writer into the directory is refused", "[output_dir]") {
  TempDir t;
  {
    OutputDir first(t.path(), kFamily, "summary.json");
    CHECK(Read(t.path() / kOutputLockName) == std::to_string(::getpid()));
    const std::string msg =
        ExpectInputError([&] { OutputDir second(t.path(), kFamily, "summary.json"); });
    CHECK(msg == "--out " + t.str() + ": in use by another servesim command (pid " +
                     std::to_string(::getpid()) + ", lock " +
                     (t.path() / kOutputLockName).string() +
                     "); wait for it or choose another --out");
    first.Write("summary.json", "{}\n");
    first.Commit();
  }
  // Released: the next run may start, and removes the finished run's files.
  OutputDir third(t.path(), kFamily, "summary.json");
  CHECK(Names(t.path()) == std::set<std::string>{kOutputLockName});
}

TEST_CASE("OutputDir: a failed write names the file and the reason", "[output_dir]") {
  if (!fs::exists("/dev/full")) {
    WARN("skipped: no /dev/full");
    return;
  }
  TempDir t;
  OutputDir out(t.path(), kFamily, "summary.json");
  // The temporary points at /dev/full: every write fails with ENOSPC.
  fs::create_symlink("/dev/full", t.path() / Temp("steps.csv"));
  out.Write("summary.json", "{}\n");
  out.Open("steps.csv") << std::string(100'000, 'x');  // more than the buffer holds
  const std::string msg = ExpectInputError([&] { out.Commit(); });
  CHECK(msg == "--out " + t.str() + ": cannot write " + (t.path() / "steps.csv").string() +
                   ": No space left on device");
  CHECK(!fs::exists(t.path() / "summary.json"));
}

TEST_CASE("OutputDir: the marker is renamed last; a failed rename undoes the others",
          "[output_dir]") {
  TempDir t;
  {
    OutputDir out(t.path(), kFamily, "summary.json");
    out.Write("summary.json", "{}\n");  // opened first, committed last all the same
    out.Write("requests.csv", "r\n");
    out.Write("steps.csv", "s\n");
    // A directory where steps.csv goes: its rename fails after requests.csv's succeeded.
    t.Write("steps.csv/keep", "");
    const std::string msg = ExpectInputError([&] { out.Commit(); });
    CHECK(msg.find("--out " + t.str() + ": cannot rename " +
                   (t.path() / Temp("steps.csv")).string() + " to steps.csv: ") == 0);
    CHECK(!fs::exists(t.path() / "summary.json"));
  }
  CHECK(Names(t.path()) == std::set<std::string>{"steps.csv"});  // the directory only
}

TEST_CASE("OutputDir: an earlier output that cannot be removed is an error naming it",
          "[output_dir]") {
  TempDir t;
  t.Write("requests.csv/keep", "");
  const std::string msg =
      ExpectInputError([&] { OutputDir out(t.path(), kFamily, "summary.json"); });
  CHECK(msg == "--out " + t.str() + ": cannot remove the earlier run's " +
                   (t.path() / "requests.csv").string() + ": Is a directory");
  CHECK(!fs::exists(t.path() / kOutputLockName));  // released again
}

TEST_CASE("OutputDir: a directory that cannot be created is an error naming it", "[output_dir]") {
  TempDir t;
  t.Write("file", "");
  const std::string msg =
      ExpectInputError([&] { OutputDir out(t.path() / "file", kFamily, "summary.json"); });
  CHECK(msg.find("--out " + (t.path() / "file").string() + ": cannot create directory: ") == 0);
}

TEST_CASE("WriteFileAtomically: the whole new file or the old one", "[output_dir]") {
  TempDir t;
  const fs::path path = t.path() / "page.html";
  WriteFileAtomically(path, "new\n", "--html");
  CHECK(Read(path) == "new\n");
  CHECK(Names(t.path()) == std::set<std::string>{"page.html"});
  if (fs::exists("/dev/full")) {
    fs::create_symlink("/dev/full", t.path() / Temp("page.html"));
    const std::string msg =
        ExpectInputError([&] { WriteFileAtomically(path, std::string(100'000, 'x'), "--html"); });
    CHECK(msg == "--html: cannot write " + path.string() + ": No space left on device");
    CHECK(Read(path) == "new\n");
    CHECK(Names(t.path()) == std::set<std::string>{"page.html"});
  }
}

}  // namespace
}  // namespace servesim
