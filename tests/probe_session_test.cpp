// The probe budget and the probe store: distinct cells are counted and capped, repeats are
// free, live measurements are stored at once, and a killed search resumes without measuring
// anything twice.
#include "simnas/probe/probe_session.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "simnas/core/error.h"
#include "simnas/core/subprocess.h"
#include "simnas/devices/command_device.h"
#include "simnas/devices/table_device.h"
#include "fixture_data.h"
#include "test_support.h"

namespace simnas {
namespace {

// A fake live device counting its measurements.
class CountingDevice : public Device {
 public:
  std::string Spec() const override { return "fake"; }
  std::string Fingerprint() const override { return "fake-device"; }
  bool IsLive() const override { return true; }
  Measurement Measure(const Arch& arch) override {
    ++calls;
    return Measurement{1.0 + CellOf(arch).Code() / 1000.0, 0.01, 10};
  }
  int calls = 0;
};

TEST(ProbeSession, CountsDistinctCellsRefusesBeyondBudgetAndCachesRepeats) {
  CountingDevice device;
  const SearchSpace& space = testing::FixtureSpace();
  ProbeSession session(device, space, 3);
  std::mt19937_64 rng(1);
  const Cell a = RandomCell(rng), b = RandomCell(rng), c = RandomCell(rng), d = RandomCell(rng);
  session.Probe(ToArch(a));
  session.Probe(ToArch(b));
  session.Probe(ToArch(a));  // repeat: free
  EXPECT_EQ(session.used(), 2);
  session.Probe(ToArch(c));
  EXPECT_EQ(session.remaining(), 0);
  EXPECT_EQ(session.Probe(ToArch(b)).measurement.latency_ms, 1.0 + b.Code() / 1000.0);  // cached, still answers
  ASSERT_NE(session.TryProbe(ToArch(c)), nullptr);                                         // cached: no probe needed
  EXPECT_EQ(session.TryProbe(ToArch(d)), nullptr);  // spent: no answer, nothing measured, no exception
  EXPECT_EQ(session.used(), 3);
  EXPECT_THROW(session.Probe(ToArch(d)), Error);    // a caller that budgeted its cells is told of its bug
  EXPECT_EQ(device.calls, 3);
  EXPECT_EQ(session.history().size(), 3u);
  EXPECT_EQ(session.history()[0].index, space.IndexOf(a));
}

TEST(ProbeSession, RejectsANonPositiveBudget) {
  CountingDevice device;
  EXPECT_THROW(ProbeSession(device, testing::FixtureSpace(), 0), ParseError);
}

TEST(ProbeStore, RecordsLiveMeasurementsAndReplaysThemForTheSameRun) {
  testing::TempDir dir;
  const SearchSpace& space = testing::FixtureSpace();
  std::mt19937_64 rng(2);
  const Cell a = RandomCell(rng), b = RandomCell(rng);
  {
    ProbeStore store(dir / "p.sqlite");
    CountingDevice device;
    ProbeSession session(device, space, 5, &store, "run-1");
    session.Probe(ToArch(a));
    session.Probe(ToArch(b));
    EXPECT_EQ(store.Load("run-1", "fake-device", "nb201").size(), 2u);
  }
  ProbeStore store(dir / "p.sqlite");
  CountingDevice device;
  ProbeSession resumed(device, space, 5, &store, "run-1");
  EXPECT_TRUE(resumed.Probe(ToArch(a)).replayed);
  EXPECT_TRUE(resumed.Probe(ToArch(b)).replayed);
  EXPECT_EQ(device.calls, 0);
  EXPECT_EQ(resumed.used(), 2);  // replayed probes still count against the budget
  ProbeSession other_run(device, space, 5, &store, "run-2");
  EXPECT_FALSE(other_run.Probe(ToArch(a)).replayed);
  EXPECT_EQ(device.calls, 1);
}

// A live measurement's interval, samples and passes are stored and replayed with it.
TEST(ProbeStore, KeepsTheIntervalSamplesAndPassesOfAMeasurement) {
  testing::TempDir dir;
  const SearchSpace& space = testing::FixtureSpace();
  const Cell a = space.CellAt(5);
  Measurement m;
  m.latency_ms = 9.7;
  m.spread = 0.04;
  m.repeats = 48;
  m.ci_low_ms = 9.6;
  m.ci_high_ms = 9.9;
  m.samples = 24;
  m.passes = 2;
  {
    ProbeStore store(dir / "p.sqlite");
    store.Record("run", "dev", "dev", ToArch(a), space.IndexOf(a), m);
    store.Record("run", "dev", "dev", ToArch(space.CellAt(6)), 6, Measurement{2.0, 0.1, 10});  // no interval
  }
  ProbeStore store(dir / "p.sqlite");
  const std::vector<StoredProbe> rows = store.Load("run", "dev", "nb201");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_DOUBLE_EQ(rows[0].measurement.ci_low_ms, 9.6);
  EXPECT_DOUBLE_EQ(rows[0].measurement.ci_high_ms, 9.9);
  EXPECT_EQ(rows[0].measurement.samples, 24);
  EXPECT_EQ(rows[0].measurement.passes, 2);
  EXPECT_NEAR(rows[0].measurement.RelativeHalfWidth(), 0.2 / 9.7, 1e-12);
  EXPECT_FALSE(rows[1].measurement.has_interval());
  EXPECT_EQ(rows[1].measurement.samples, 0);
}

TEST(ProbeStore, ReplayDevicesAreNotStored) {
  testing::TempDir dir;
  ProbeStore store(dir / "p.sqlite");
  const auto& data = testing::FixtureData();
  TableDevice device("table:fpga", data.DeviceTable("fpga"), data.space());
  ProbeSession session(device, data.space(), 2, &store, "run");
  session.Probe(ToArch(data.space().CellAt(0)));
  EXPECT_TRUE(store.Load("run", device.Fingerprint(), "nb201").empty());
}

TEST(ProbeStore, ACorruptStoreIsANamedError) {
  testing::TempDir dir;
  std::ofstream(dir / "bad.sqlite") << "this is not a database, just text that is long enough to have a header.....";
  try {
    ProbeStore store(dir / "bad.sqlite");
    FAIL() << "opened a corrupt store";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("bad.sqlite"), std::string::npos) << e.what();
  }
}

// The CLI, killed with SIGKILL in the middle of a search on a live device, then restarted
// with the same run id: nothing measured before the kill is measured again.
TEST(ProbeStoreResume, KilledSearchResumesWithoutMeasuringAnythingTwice) {
  testing::TempDir dir;
  // The device logs each architecture it is asked for; with `hang` present it hangs on its
  // fourth call (so the search can be killed at a known point).
  const auto script = testing::WriteScript(
      dir / "dev.sh",
      "d=\"$(dirname \"$0\")\"; echo \"$1\" >> \"$d/calls\"; n=$(wc -l < \"$d/calls\"); "
      "[ -f \"$d/hang\" ] && [ \"$n\" -ge 4 ] && exec sleep 20; echo \"$((n % 7 + 1)).5\"");
  std::ofstream(dir / "hang") << "";
  {
    std::ofstream proxy(dir / "proxy.csv");
    proxy << "# simnas proxy table v2\nindex,naswot,logsynflow,skip,meco\n";  // meco: the default recipe's
    for (int i = 0; i < kNumCells; ++i) proxy << i << "," << (i % 101) << "," << (i % 37) << ",0," << (i % 101) << "\n";
  }
  const std::vector<std::string> args = {"--store", (dir / "p.sqlite").string(), "search", "--device",
                                         "cmd:'" + script.string() + "' {arch}", "--strategy", "random",
                                         "--probes", "6", "--run-id", "resume-test", "--seed", "5",
                                         "--proxy-table", (dir / "proxy.csv").string()};
  const testing::CliResult killed = testing::RunCli(args, /*timeout_seconds=*/8);  // SIGKILLed on timeout
  EXPECT_EQ(killed.exit_code, -1) << killed.err;
  const auto read_calls = [&] {
    std::ifstream in(dir / "calls");
    std::vector<std::string> calls;
    for (std::string line; std::getline(in, line);) calls.push_back(line);
    return calls;
  };
  const std::vector<std::string> before = read_calls();
  ASSERT_EQ(before.size(), 4u);  // three measured, the fourth hung when the kill came
  ProbeStore store(dir / "p.sqlite");
  int stored = 0;
  for (const auto& row : store.LoadDevice("cmd:'" + script.string() + "' {arch}", "nb201")) stored += row.run_id == "resume-test";
  EXPECT_EQ(stored, 3);

  std::filesystem::remove(dir / "hang");
  const testing::CliResult resumed = testing::RunCli(args, 60);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  const std::vector<std::string> after = read_calls();
  const std::vector<std::string> new_calls(after.begin() + 4, after.end());
  EXPECT_EQ(new_calls.size(), 3u);  // the hung probe and the two remaining ones
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(std::count(new_calls.begin(), new_calls.end(), before[static_cast<std::size_t>(i)]), 0)
        << "measured again: " << before[static_cast<std::size_t>(i)];
  }
  EXPECT_NE(resumed.out.find("(replayed)"), std::string::npos);
}

TEST(ProbeStoreConcurrency, TwoProcessesWriteTheSameStore) {
  testing::TempDir dir;
  const auto script = testing::WriteScript(dir / "dev.sh", "echo 2.5");
  const std::string store = (dir / "p.sqlite").string();
  const auto run = [&](const std::string& run_id, const std::string& out) {
    return std::vector<std::string>{"--store", store, "measure-all", "--device", "cmd:'" + script.string() + "' {arch}",
                                    "--sample", "40", "--seed", run_id == "a" ? "1" : "2", "--run-id", run_id,
                                    "--out", (dir / out).string()};
  };
  // Both processes at once.
  std::vector<std::string> argv_a = {SIMNAS_CLI_PATH}, argv_b = {SIMNAS_CLI_PATH};
  for (const auto& s : run("a", "a.csv")) argv_a.push_back(s);
  for (const auto& s : run("b", "b.csv")) argv_b.push_back(s);
  std::thread ta([&] { EXPECT_EQ(RunProcess(argv_a, 120).exit_code, 0); });
  std::thread tb([&] { EXPECT_EQ(RunProcess(argv_b, 120).exit_code, 0); });
  ta.join();
  tb.join();
  ProbeStore s(store);
  const std::string fp = "cmd:'" + script.string() + "' {arch}";
  EXPECT_EQ(s.Load("a", fp, "nb201").size(), 40u);
  EXPECT_EQ(s.Load("b", fp, "nb201").size(), 40u);
  EXPECT_EQ(LoadLatencyTable(dir / "a.csv").CountKnown(), 40);
}

}  // namespace
}  // namespace simnas
