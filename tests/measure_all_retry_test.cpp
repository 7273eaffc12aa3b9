// simnas measure-all on a device that fails one cell: the cell is skipped with a warning, the
// rest is measured, failed cells are tried again after the pass; a cell that fails every pass
// is named in the output file and the exit status is non-zero. Hermetic: a fake `cmd:` device
// program and the fixture data folder.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "fixture_data_folder.h"
#include "test_support.h"

namespace simnas {
namespace {

namespace fs = std::filesystem;

std::string ReadText(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int DataRows(const std::string& csv) {
  int rows = 0;
  std::istringstream in(csv);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.front() != '#' && line.rfind("index", 0) != 0) ++rows;
  }
  return rows;
}

// A device program that fails for one architecture (the first it is asked for, remembered in
// bad.txt): on its first attempt only, or (always) on every attempt.
testing::CliResult RunWithFlakyDevice(const testing::TempDir& dir, bool always) {
  const std::string fail_again = always ? "true" : "[ ! -f \"$D/failed-once\" ]";
  const fs::path script = testing::WriteScript(
      dir / "dev.sh", "D='" + dir.path().string() + "'\n" +
                          "[ -f \"$D/bad.txt\" ] || printf '%s' \"$1\" > \"$D/bad.txt\"\n"
                          "if [ \"$(cat \"$D/bad.txt\")\" = \"$1\" ] && " + fail_again + "; then\n"
                          "  touch \"$D/failed-once\"; echo 'spread 40% above max_spread' >&2; exit 3\n"
                          "fi\n"
                          "echo 2.5\n");
  std::ofstream(dir / "devices.json") << R"({"devices": {"flaky": {"spec": "cmd:')" << script.string()
                                      << R"(' {arch}", "retries": 0}}})";
  return testing::RunCli({"--data", testing::FixtureDataFolder().string(), "--registry",
                          (dir / "devices.json").string(), "--store", (dir / "p.sqlite").string(), "measure-all",
                          "--device", "flaky", "--sample", "5", "--seed", "1", "--out", (dir / "out.csv").string()},
                         120);
}

TEST(MeasureAllRetry, ACellFailingOnceIsSkippedThenRecoveredByTheRetryPass) {
  testing::TempDir dir;
  const testing::CliResult r = RunWithFlakyDevice(dir, false);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const std::string bad = ReadText(dir / "bad.txt");
  ASSERT_FALSE(bad.empty());
  // One warning line naming the cell and the reason.
  EXPECT_NE(r.err.find("measure-all: cell "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(bad), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("tried again after this pass"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("left out"), std::string::npos) << r.err;
  const std::string csv = ReadText(dir / "out.csv");
  EXPECT_EQ(DataRows(csv), 5) << csv;
  EXPECT_NE(csv.find(bad), std::string::npos) << csv;
  EXPECT_EQ(csv.find("# missing"), std::string::npos) << csv;
}

TEST(MeasureAllRetry, ACellFailingEveryPassIsNamedMissingWithANonZeroExit) {
  testing::TempDir dir;
  const testing::CliResult r = RunWithFlakyDevice(dir, true);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  const std::string bad = ReadText(dir / "bad.txt");
  ASSERT_FALSE(bad.empty());
  EXPECT_NE(r.err.find("left out"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("1 cells left unmeasured after 3 passes"), std::string::npos) << r.err;
  // The other four are measured and written; the missing one is named in the file.
  const std::string csv = ReadText(dir / "out.csv");
  EXPECT_EQ(DataRows(csv), 4) << csv;
  EXPECT_NE(csv.find("# missing: 1 of 5 cells failed 3 passes"), std::string::npos) << csv;
  EXPECT_NE(csv.find("# missing "), std::string::npos) << csv;
  EXPECT_NE(csv.find(bad + ": "), std::string::npos) << csv;
  // Run again: the four come from the probe store, only the missing cell is measured again.
  const testing::CliResult again = RunWithFlakyDevice(dir, true);
  EXPECT_EQ(again.exit_code, 1) << again.err;
  EXPECT_NE((again.out + again.err).find("4 replayed"), std::string::npos) << again.out << again.err;
}

}  // namespace
}  // namespace simnas
