// External device programs: a latency is accepted only from a program that exits 0 and
// prints one; hangs, failures and garbage are errors, never measurements.
#include "simnas/devices/command_device.h"

#include <gtest/gtest.h>

#include <fstream>

#include "simnas/core/error.h"
#include "simnas/devices/device_factory.h"
#include "fixture_data.h"
#include "test_support.h"

namespace simnas {
namespace {

const Cell kCell = Cell::Parse("|nor_conv_3x3~0|+|none~0|skip_connect~1|+|avg_pool_3x3~0|nor_conv_1x1~1|none~2|");

std::string Command(const std::filesystem::path& script) { return "'" + script.string() + "' {arch} {index}"; }

TEST(CommandDevice, PassesTheArchitectureAsOneArgumentWithoutAShell) {
  testing::TempDir dir;
  // Prints the number of arguments and echoes the first one to a file.
  const auto script = testing::WriteScript(dir / "dev.sh", "printf '%s' \"$1\" > \"$(dirname \"$0\")/arg\"; echo \"$#.5 ms\"");
  CommandDevice device(Command(script), testing::FixtureData().space());
  const Measurement m = device.Measure(ToArch(kCell));
  EXPECT_EQ(m.latency_ms, 2.5);  // two arguments: the arch string and the index
  std::ifstream in(dir / "arg");
  std::string arg((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(arg, kCell.ToString());
}

TEST(CommandDevice, AcceptsPlainNumbersUnitsSpreadAndJson) {
  EXPECT_EQ(ParseLatencyOutput("12.5\n").latency_ms, 12.5);
  EXPECT_EQ(ParseLatencyOutput("warming up\n3 ms\n").latency_ms, 3.0);
  const Measurement m = ParseLatencyOutput("4.0 0.02");
  EXPECT_EQ(m.latency_ms, 4.0);
  EXPECT_EQ(m.spread, 0.02);
  const Measurement j = ParseLatencyOutput("{\"latency_ms\": 7.25, \"spread\": 0.1, \"repeats\": 50}");
  EXPECT_EQ(j.latency_ms, 7.25);
  EXPECT_EQ(j.repeats, 50);
}

struct BadProgram {
  const char* name;
  const char* body;
  const char* must_mention;
};

class BadDeviceProgram : public ::testing::TestWithParam<BadProgram> {};

TEST_P(BadDeviceProgram, IsAnErrorNotAMeasurement) {
  const BadProgram bad = GetParam();
  testing::TempDir dir;
  const auto script = testing::WriteScript(dir / "dev.sh", bad.body);
  CommandOptions options;
  // Only the hanging program needs a short timeout; the others get a generous one, so that a
  // loaded machine starting the shell slowly cannot turn their error into a timeout.
  options.timeout_seconds = std::string(bad.name) == "hangs" ? 1.0 : 30.0;
  options.retries = 1;
  CommandDevice device(Command(script), testing::FixtureData().space(), options);
  try {
    const Measurement m = device.Measure(ToArch(kCell));
    FAIL() << bad.name << " gave a measurement: " << m.latency_ms;
  } catch (const DeviceError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(bad.must_mention), std::string::npos) << msg;
    EXPECT_NE(msg.find("after 2 attempt"), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  }
}

INSTANTIATE_TEST_SUITE_P(
    CommandDevice, BadDeviceProgram,
    ::testing::Values(BadProgram{"hangs", "exec sleep 30", "timed out after 1 s"},
                      BadProgram{"fails", "echo 'board unreachable' >&2; exit 3", "exited with status 3: board unreachable"},
                      BadProgram{"garbage", "echo 'Segmentation fault (core dumped)'", "expected a latency in ms"},
                      BadProgram{"nan", "echo nan", "expected a latency"},
                      BadProgram{"negative", "echo -4.2", "finite positive"},
                      BadProgram{"silent", "true", "printed nothing"},
                      BadProgram{"bad json", "echo '{\"latency\": 3}'", "numeric \"latency_ms\""},
                      BadProgram{"killed", "kill -9 $$", "killed by signal 9"}),
    [](const ::testing::TestParamInfo<BadProgram>& info) {
      std::string n = info.param.name;
      for (char& c : n) c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
      return n;
    });

TEST(CommandDevice, RetriesAFlakyProgram) {
  testing::TempDir dir;
  // Fails on the first call, succeeds on the second.
  const auto script = testing::WriteScript(
      dir / "dev.sh", "f=\"$(dirname \"$0\")/count\"; n=$(cat \"$f\" 2>/dev/null || echo 0); echo $((n+1)) > \"$f\"; "
                      "[ \"$n\" -ge 1 ] && echo 9.5 || exit 1");
  CommandDevice device(Command(script), testing::FixtureData().space());
  EXPECT_EQ(device.Measure(ToArch(kCell)).latency_ms, 9.5);
}

TEST(CommandDevice, MissingProgramAndMissingPlaceholderAreClearErrors) {
  CommandDevice missing("/nonexistent/bench {arch}", testing::FixtureData().space());
  EXPECT_THROW(missing.Measure(ToArch(kCell)), DeviceError);
  EXPECT_THROW(CommandDevice("echo 3", testing::FixtureData().space()), ParseError);
  EXPECT_THROW(CommandDevice("'unterminated {arch}", testing::FixtureData().space()), ParseError);
}

TEST(DeviceRegistry, NamesResolveToSpecsWithOptions) {
  testing::TempDir dir;
  const auto script = testing::WriteScript(dir / "dev.sh", "echo 1.25");
  std::ofstream(dir / "devices.json") << R"({"devices": {"board": {"spec": "cmd:')" << script.string()
                                      << R"(' {arch}", "timeout_s": 5, "retries": 0, "description": "test"}}})";
  // A bare table name is looked up in the data folder: this test reads the real one.
  const DeviceEnvironment env = testing::Nb201Devices(testing::Data(), dir / "devices.json");
  auto device = OpenDevice("board", env);
  EXPECT_EQ(device->Measure(ToArch(kCell)).latency_ms, 1.25);
  EXPECT_TRUE(device->IsLive());
  auto table = OpenDevice("pixel3", env);  // a bare benchmark table name
  EXPECT_FALSE(table->IsLive());
  EXPECT_THROW(OpenDevice("no-such-board", env), ParseError);
  std::ofstream(dir / "bad.json") << "{\"devices\": {\"x\": {\"timeout_s\": 3}}}";
  EXPECT_THROW(LoadDeviceRegistry(dir / "bad.json"), DataError);
}

TEST(DeviceFactory, SyntheticDevicesAreDeterministicPerSeed) {
  const DeviceEnvironment env = testing::Nb201Devices(testing::FixtureData(), std::nullopt);
  auto a = OpenDevice("synthetic:7", env);
  auto b = OpenDevice("synthetic:7", env);
  auto c = OpenDevice("synthetic:8", env);
  EXPECT_EQ(a->Measure(ToArch(kCell)).latency_ms, b->Measure(ToArch(kCell)).latency_ms);
  EXPECT_NE(a->Measure(ToArch(kCell)).latency_ms, c->Measure(ToArch(kCell)).latency_ms);
  EXPECT_GT(a->Measure(ToArch(kCell)).latency_ms, 0);
  EXPECT_THROW(OpenDevice("synthetic:x", env), ParseError);
  EXPECT_THROW(OpenDevice("table:", env), ParseError);
  EXPECT_THROW(OpenDevice("table:nonexistent_device", env), DataError);
}

}  // namespace
}  // namespace simnas
