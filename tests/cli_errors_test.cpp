// Bad input through the CLI: each case ends in exactly one line on stderr naming what and
// where, a non-zero exit, and no crash (no signal, no abort, no backtrace).
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include <nlohmann/json.hpp>

#include "simnas/core/file_util.h"
#include "simnas/space/registry.h"
#include "fixture_data.h"
#include "fixture_data_folder.h"
#include "test_support.h"

namespace simnas {
namespace {

struct BadCall {
  const char* name;
  std::vector<std::string> args;
  const char* must_mention;
};

class CliBadInput : public ::testing::TestWithParam<BadCall> {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    testing::WriteScript(*dir_ / "hang.sh", "exec sleep 30");
    testing::WriteScript(*dir_ / "fail.sh", "echo 'no route to host' >&2; exit 255");
    testing::WriteScript(*dir_ / "garbage.sh", "echo 'latency: fast'");
    std::ofstream(*dir_ / "devices.json")
        << R"({"devices": {"hanging-board": {"spec": "cmd:')" << (*dir_ / "hang.sh").string()
        << R"(' {arch}", "timeout_s": 1, "retries": 0},
               "failing-board": {"spec": "cmd:')" << (*dir_ / "fail.sh").string() << R"(' {arch}", "retries": 0},
               "garbage-board": {"spec": "cmd:')" << (*dir_ / "garbage.sh").string() << R"(' {arch}", "retries": 0}}})";
    std::ofstream(*dir_ / "broken.json") << "{\"devices\": ";
    std::ofstream(*dir_ / "bad.csv") << "index,ms\n12,-3\n";
    std::filesystem::create_directories(*dir_ / "empty-data");
    std::filesystem::create_directories(*dir_ / "corrupt-data" / "help-nasbench201");
    std::ofstream(*dir_ / "corrupt-data" / "help-nasbench201" / "str_arch2idx.pt") << "PK\x03\x04garbage";
  }
  static void TearDownTestSuite() { delete dir_; }
  static testing::TempDir* dir_;
};
testing::TempDir* CliBadInput::dir_ = nullptr;

// "@name" inside an argument stands for a file in the suite's temporary folder.
std::string Sub(std::string s, const testing::TempDir& dir) {
  if (const auto at = s.find('@'); at != std::string::npos) s = s.substr(0, at) + (dir / s.substr(at + 1)).string();
  return s;
}

TEST_P(CliBadInput, OneLineErrorAndNonZeroExit) {
  const BadCall call = GetParam();
  std::vector<std::string> args = {"--store", (*dir_ / "p.sqlite").string()};
  // The fixture benchmark stands in for the data folder, unless the call is about --data.
  if (std::find(call.args.begin(), call.args.end(), "--data") == call.args.end()) {
    args.insert(args.end(), {"--data", testing::FixtureDataFolder().string()});
  }
  if (call.args.front() != "--registry") {
    args.insert(args.end(), {"--registry", (*dir_ / "devices.json").string()});
  }
  for (const std::string& a : call.args) args.push_back(Sub(a, *dir_));
  const testing::CliResult r = testing::RunCli(args, 60);
  EXPECT_NE(r.exit_code, 0) << r.out;
  EXPECT_GT(r.exit_code, 0) << "killed or timed out";
  EXPECT_LT(r.exit_code, 128) << "crashed: " << r.err;
  EXPECT_EQ(testing::CountLines(r.err), 1) << r.err;
  EXPECT_EQ(r.err.rfind("simnas: error: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find(call.must_mention), std::string::npos) << r.err;
}

INSTANTIATE_TEST_SUITE_P(
    Cli, CliBadInput,
    ::testing::Values(
        BadCall{"malformed_arch", {"arch", "--arch", "|nor_conv_3x3~0|+|none~0|"}, "malformed architecture"},
        BadCall{"unknown_op", {"arch", "--arch", "|conv7~0|+|none~0|none~1|+|none~0|none~1|none~2|"}, "'conv7'"},
        BadCall{"index_out_of_range", {"arch", "--index", "15625"}, "outside"},
        BadCall{"unknown_device_kind", {"measure", "--device", "gpu:0", "--index", "3"}, "unknown device 'gpu:0'"},
        BadCall{"unknown_table", {"measure", "--device", "table:pixel9", "--index", "3"}, "pixel9"},
        BadCall{"missing_program", {"measure", "--device", "cmd:/no/such/prog {arch}", "--index", "3"},
                "cannot execute '/no/such/prog'"},
        BadCall{"hanging_program", {"measure", "--device", "hanging-board", "--index", "3"}, "timed out after 1 s"},
        BadCall{"failing_program", {"measure", "--device", "failing-board", "--index", "3"},
                "exited with status 255: no route to host"},
        BadCall{"garbage_program", {"measure", "--device", "garbage-board", "--index", "3"}, "'latency: fast'"},
        BadCall{"bad_csv_table", {"measure", "--device", "table:@bad.csv", "--index", "3"}, "bad.csv:2"},
        BadCall{"broken_registry", {"--registry", "@broken.json", "measure", "--device", "x", "--index", "3"},
                "broken.json: not valid JSON"},
        BadCall{"missing_data", {"--data", "@empty-data", "arch", "--index", "3"},
                "str_arch2idx.pt: cannot open (no such file) (run `simnas data fetch`"},
        BadCall{"corrupt_data", {"--data", "@corrupt-data", "arch", "--index", "3"},
                "not a readable torch.save file"},
        BadCall{"corrupt_data_says_fetch", {"--data", "@corrupt-data", "arch", "--index", "3"},
                "(run `simnas data fetch` to fetch or repair the data folder)"},
        BadCall{"missing_fbnet_data", {"--data", "@empty-data", "--space", "fbnet", "measure", "--device", "table:fpga",
                                       "--index", "3"},
                "help-fbnet/arch.pt: no such FBNet architecture file (run `simnas data fetch`"},
        BadCall{"bad_local_option", {"measure", "--device", "local:threads=0", "--index", "3"}, "threads"},
        BadCall{"unknown_dataset", {"search", "--device", "table:fpga", "--dataset", "mnist"}, "unknown dataset 'mnist'"},
        BadCall{"zero_probes", {"search", "--device", "table:fpga", "--probes", "0"}, "--probes"},
        BadCall{"unknown_strategy", {"search", "--device", "table:fpga", "--strategy", "magic"}, "unknown strategy"},
        BadCall{"unknown_flag", {"arch", "--colour"}, "--colour"}),
    [](const ::testing::TestParamInfo<BadCall>& info) { return std::string(info.param.name); });

TEST(Cli, HelpAndSuccessExitZero) {
  EXPECT_EQ(testing::RunCli({"--help"}).exit_code, 0);
  EXPECT_EQ(testing::RunCli({"search", "--help"}).exit_code, 0);
  const testing::CliResult r =
      testing::RunCli({"--data", testing::FixtureDataFolder().string(), "arch", "--index", "0", "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"index\": 0"), std::string::npos) << r.out;
}

TEST(Cli, MeasureOnATableDevicePrintsTheTableValue) {
  const testing::CliResult r = testing::RunCli(
      {"--data", testing::FixtureDataFolder().string(), "measure", "--device", "table:fpga", "--index", "42", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const double expected = testing::FixtureData().DeviceTable("fpga").At(42);
  EXPECT_EQ(nlohmann::json::parse(r.out)["latency_ms"].get<double>(), expected) << r.out;
}

// The help says what the commands take: every device kind, every space, --index, one
// validator per --budget-ms, the defaults of search.
TEST(Cli, HelpNamesEveryDeviceKindBothSpacesAndTheDefaults) {
  const testing::CliResult measure = testing::RunCli({"measure", "--help"});
  ASSERT_EQ(measure.exit_code, 0) << measure.err;
  for (const char* kind : {"table:", "synthetic:", "local", "opencv", "cmd:", "registry name"}) {
    EXPECT_NE(measure.out.find(kind), std::string::npos) << kind << "\n" << measure.out;
  }
  // --index means the same in every space: the position in --space's numbering.
  EXPECT_NE(measure.out.find("Index in --space's numbering"), std::string::npos) << measure.out;
  const testing::CliResult global = testing::RunCli({"--help"});
  for (const Space* space : Spaces()) {
    EXPECT_NE(global.out.find(std::string(space->name()) + " (" + std::string(space->title())), std::string::npos)
        << space->name() << "\n" << global.out;
  }
  const testing::CliResult search = testing::RunCli({"search", "--help"});
  ASSERT_EQ(search.exit_code, 0) << search.err;
  EXPECT_EQ(search.out.find("POSITIVE:POSITIVE"), std::string::npos) << search.out;
  EXPECT_NE(search.out.find("opencv"), std::string::npos) << search.out;
  EXPECT_NE(search.out.find("default cifar100"), std::string::npos) << search.out;
  EXPECT_NE(search.out.find("(default 10)"), std::string::npos) << search.out;
  const testing::CliResult proxies = testing::RunCli({"proxies", "--help"});
  EXPECT_NE(proxies.out.find("--space's numbering"), std::string::npos) << proxies.out;
}

}  // namespace
}  // namespace simnas
