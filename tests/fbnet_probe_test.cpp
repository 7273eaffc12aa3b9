// An FBNet network's latency travels the NAS-Bench-201 cell's path: the architecture handle,
// Device::Measure, the ProbeSession and the probe store (keyed by space; an old NAS-Bench-201
// store still replays); the FBNet table device; the FBNet search; `measure` and `search` under
// --space fbnet through the CLI.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "simnas/core/error.h"
#include "simnas/spaces/fbnet/fbnet_data.h"
#include "simnas/devices/command_device.h"
#include "simnas/devices/table_device.h"
#include "simnas/spaces/fbnet/fbnet_space.h"
#include "simnas/spaces/fbnet/fbnet_network.h"
#include "simnas/probe/probe_session.h"
#include "simnas/probe/probe_store.h"
#include "simnas/space/space_data.h"
#include "simnas/spaces/fbnet/fbnet_cost.h"
#include "simnas/spaces/nb201/nb201_space.h"
#include "simnas/proxies/proxy_table.h"
#include "simnas/spaces/fbnet/fbnet_space.h"
#include "simnas/strategies/answer.h"
#include "simnas/strategies/registry.h"
#include "simnas/strategies/search_runner.h"
#include "fixture_data.h"
#include "test_support.h"

namespace simnas {
namespace {

// A live device of any space: a latency from the architecture's string, counting calls.
class FakeLiveDevice : public Device {
 public:
  std::string Spec() const override { return "fake"; }
  std::string Fingerprint() const override { return "fake-device"; }
  bool IsLive() const override { return true; }
  Measurement Measure(const Arch& arch) override {
    ++calls;
    return Measurement{1.0 + static_cast<double>(arch.ToString().size() % 97), 0.01, 10};
  }
  int calls = 0;
};

TEST(ArchHandle, RoundTripsBothSpacesAndKeepsThemApart) {
  std::mt19937_64 rng(3);
  const Cell cell = RandomCell(rng);
  const FbnetArch net = RandomFbnetArch(rng);
  const Arch a = ToArch(cell), b = ToArch(net);
  EXPECT_EQ(a.space_name(), "nb201");
  EXPECT_EQ(b.space_name(), "fbnet");
  EXPECT_EQ(a.ToString(), cell.ToString());  // the NAS-Bench-201 string, unchanged
  EXPECT_EQ(b.ToString(), net.ToString());
  EXPECT_EQ(Nb201Space().Parse(a.ToString()), a);
  EXPECT_EQ(FbnetSpace().Parse(b.ToString()), b);
  EXPECT_EQ(CellOf(a), cell);
  EXPECT_EQ(FbnetOf(b), net);
  EXPECT_NE(a, b);
  EXPECT_THROW((void)FbnetOf(a), Error);
  EXPECT_THROW((void)CellOf(b), Error);
  EXPECT_THROW(Nb201Space().Parse(b.ToString()), ParseError);
  EXPECT_THROW(FbnetSpace().Parse(a.ToString()), ParseError);
}

TEST(FbnetCandidates, NumbersItsNetworksAndNoOther) {
  const std::vector<FbnetArch> nets = SampleFbnetArchs(5, 20);
  const CandidateSet numbering = testing::FbnetCandidates(nets);
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(numbering.IndexOf(numbering.at(i)), i);
    EXPECT_EQ(numbering.IndexOf(ToArch(nets[static_cast<std::size_t>(i)])), i);
  }
  EXPECT_EQ(numbering.IndexOf(ToArch(UniformFbnetArch(FbnetBlock::kK5E6))), -1);
  EXPECT_THROW(numbering.at(20), ParseError);
  EXPECT_EQ(numbering.IndexOf(ToArch(Cell())), -1);  // of another space: no row
}

TEST(FbnetMultiplyAdds, MatchesTheDescribedNetwork) {
  for (const FbnetArch& a : {UniformFbnetArch(FbnetBlock::kK3E1), UniformFbnetArch(FbnetBlock::kK5E6),
                             UniformFbnetArch(FbnetBlock::kSkip), UniformFbnetArch(FbnetBlock::kK3E1G2),
                             SampleFbnetArchs(9, 1)[0]}) {
    EXPECT_EQ(FbnetMultiplyAdds(a), DescribeFbnet(a).MultiplyAdds()) << a.ToString();
  }
}

// A hermetic FBNet table: `count` sampled networks, latency = multiply-adds / 1e6 * scale.
struct SmallFbnetTable {
  explicit SmallFbnetTable(int count, double scale, std::uint64_t seed = 11)
      : numbering(testing::FbnetCandidates(SampleFbnetArchs(seed, count))) {
    std::vector<double> ms;
    for (const Arch& a : numbering.archs()) ms.push_back(static_cast<double>(FbnetMultiplyAdds(FbnetOf(a))) / 1e6 * scale);
    table = LatencyTable("small", std::move(ms));
  }
  CandidateSet numbering;
  LatencyTable table;
};

TEST(FbnetTableDevice, ReplaysExactValuesAndRefusesOtherNetworks) {
  const SmallFbnetTable t(5, 0.1);
  TableDevice device("table:small", t.table, t.numbering);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(device.Measure(t.numbering.at(i)).latency_ms, t.table.At(i));
  try {
    device.Measure(ToArch(UniformFbnetArch(FbnetBlock::kK5E6)));
    FAIL() << "an FBNet network outside the table was measured";
  } catch (const DeviceError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("has only its 5 networks"), std::string::npos) << what;
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
  }
  EXPECT_THROW(device.Measure(ToArch(Cell())), Error);
}

TEST(FbnetTableDevice, ReplaysHelpsTablesExactly) {
  const SpaceData data(FbnetSpace(), testing::Data().dir());
  const CandidateSet& nets = data.Numbering();
  ASSERT_EQ(nets.size(), kFbnetTableSize);
  for (const std::string device_name : {"fpga", "pixel3", "titanxp_32"}) {
    const LatencyTable file = LoadFbnetLatencyTable(FbnetLatencyFile(testing::Data().dir(), device_name));
    TableDevice device("table:" + device_name, data.DeviceTable(device_name), nets);
    for (const int i : {0, 1, 777, 2500, 4999}) {
      if (nets.IndexOf(nets.at(i)) != i) continue;  // a network listed twice answers its first row
      EXPECT_EQ(device.Measure(nets.at(i)).latency_ms, file.At(i)) << device_name << " " << i;
    }
    EXPECT_THROW(device.Measure(ToArch(UniformFbnetArch(FbnetBlock::kK5E6))), DeviceError);
  }
}

TEST(ProbeStore, KeysFbnetAndNb201Apart) {
  testing::TempDir dir;
  ProbeStore store(dir / "p.sqlite");
  const SmallFbnetTable t(10, 0.1);
  FakeLiveDevice device;
  {
    ProbeSession nb201(device, testing::FixtureSpace(), 3, &store, "run");
    nb201.Probe(ToArch(Cell()));
    ProbeSession fbnet(device, t.numbering, 3, &store, "run-fb");
    fbnet.Probe(t.numbering.at(3));
    fbnet.Probe(ToArch(UniformFbnetArch(FbnetBlock::kSkip)));  // not numbered: index -1, still stored
    EXPECT_EQ(fbnet.history()[0].index, 3);
    EXPECT_EQ(fbnet.history()[1].index, -1);
    EXPECT_THROW(fbnet.Probe(ToArch(Cell())), Error);  // a cell is not of this session's space
  }
  EXPECT_EQ(store.Load("run", "fake-device", "nb201").size(), 1u);
  EXPECT_EQ(store.Load("run", "fake-device", "fbnet").size(), 0u);
  const std::vector<StoredProbe> fb = store.LoadDevice("fake-device", "fbnet");
  ASSERT_EQ(fb.size(), 2u);
  EXPECT_EQ(fb[0].arch, FbnetSpace().Format(t.numbering.at(3)));
  EXPECT_EQ(fb[0].space, "fbnet");
  EXPECT_EQ(store.LoadDevice("fake-device", "nb201").size(), 1u);
  // A resumed FBNet run replays its networks and measures nothing again.
  const int calls = device.calls;
  ProbeSession resumed(device, t.numbering, 3, &store, "run-fb");
  EXPECT_TRUE(resumed.Probe(t.numbering.at(3)).replayed);
  EXPECT_TRUE(resumed.Probe(ToArch(UniformFbnetArch(FbnetBlock::kSkip))).replayed);
  EXPECT_EQ(device.calls, calls);
}

TEST(ProbeStore, AStoreWrittenBeforeTheSpaceColumnStillReplays) {
  testing::TempDir dir;
  std::mt19937_64 rng(4);
  const Cell a = RandomCell(rng), b = RandomCell(rng);
  {
    // The schema and the rows exactly as the previous probe store wrote them.
    SQLite::Database db((dir / "old.sqlite").string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec("PRAGMA journal_mode=WAL");
    db.exec(
        "CREATE TABLE IF NOT EXISTS probes (id INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL, device TEXT "
        "NOT NULL, device_spec TEXT NOT NULL, arch TEXT NOT NULL, arch_index INTEGER NOT NULL, latency_ms REAL NOT "
        "NULL, spread REAL NOT NULL, repeats INTEGER NOT NULL, measured_at TEXT NOT NULL)");
    db.exec("CREATE INDEX IF NOT EXISTS probes_run ON probes(run_id, device)");
    db.exec("CREATE INDEX IF NOT EXISTS probes_device ON probes(device, arch)");
    for (const Cell& c : {a, b}) {
      SQLite::Statement insert(db,
                               "INSERT INTO probes (run_id, device, device_spec, arch, arch_index, latency_ms, spread, "
                               "repeats, measured_at) VALUES ('old-run', 'fake-device', 'fake', ?, ?, 7.25, 0.01, 10, "
                               "'2026-11-20T10:00:00Z')");
      insert.bind(1, c.ToString());
      insert.bind(2, testing::FixtureSpace().IndexOf(c));
      insert.exec();
    }
  }
  ProbeStore store(dir / "old.sqlite");
  FakeLiveDevice device;
  ProbeSession session(device, testing::FixtureSpace(), 3, &store, "old-run");
  EXPECT_TRUE(session.Probe(ToArch(a)).replayed);
  EXPECT_EQ(session.Probe(ToArch(b)).measurement.latency_ms, 7.25);
  EXPECT_EQ(device.calls, 0);
  EXPECT_EQ(store.LoadDevice("fake-device", "nb201").size(), 2u);
  EXPECT_TRUE(store.LoadDevice("fake-device", "fbnet").empty());
}

TEST(FbnetSearch, AnswersAMeasuredNetworkWithinTheBudget) {
  // Target: latency proportional to multiply-adds (x0.2 ms per M); proxy: the same order in other units.
  const SmallFbnetTable target(300, 0.2);
  const SmallFbnetTable proxy(300, 0.01);
  TableDevice device("table:small", target.table, target.numbering);
  std::vector<double> sorted = target.table.values();
  std::sort(sorted.begin(), sorted.end());
  const double budget = sorted[150];
  SearchContext inputs;
  inputs.candidates = &target.numbering;
  inputs.train_tables = {&proxy.table};
  const ScoreTable objective = MakeScoreTable(target.numbering, Dataset::kCifar100, "macs", {});
  inputs.scores = &objective;
  const std::unique_ptr<Strategy> strategy = MakeStrategy("scaled-proxy", {}, FbnetSpace());
  const SearchReport report = RunSearch(*strategy, device, SearchTask{budget, 0}, 10, inputs, nullptr, "");
  ASSERT_TRUE(report.answer.feasible);
  EXPECT_LE(report.answer.chosen.measurement.latency_ms, budget);
  EXPECT_LE(report.probes_used, 10);
  EXPECT_EQ(ProxyDeviceTable(inputs).name(), "small");
  bool in_trajectory = false;
  for (const ProbeRecord& r : report.trajectory) in_trajectory |= r.arch == report.answer.chosen.arch;
  EXPECT_TRUE(in_trajectory);
  // With latency a multiple of multiply-adds, the best feasible network is the one at the budget.
  EXPECT_EQ(report.answer.chosen.measurement.latency_ms, budget);
}

TEST(FbnetSearch, TheAnswerRuleNeverPicksAnInfeasibleNetwork) {
  const SmallFbnetTable t(3, 1.0);
  std::vector<ProbeRecord> probed(3);
  for (int i = 0; i < 3; ++i) {
    probed[static_cast<std::size_t>(i)].arch = t.numbering.at(i);
    probed[static_cast<std::size_t>(i)].index = i;
    probed[static_cast<std::size_t>(i)].measurement.latency_ms = t.table.At(i);
  }
  const double lowest = std::min({t.table.At(0), t.table.At(1), t.table.At(2)});
  const ScoreTable objective = MakeScoreTable(t.numbering, Dataset::kCifar100, "macs", {});
  const SearchAnswer none = ChooseAnswer(probed, SearchTask{lowest / 2, 0}, objective);
  EXPECT_FALSE(none.feasible);
  EXPECT_EQ(none.chosen.measurement.latency_ms, lowest);
  const SearchAnswer all = ChooseAnswer(probed, SearchTask{1e9, 0}, objective);
  EXPECT_TRUE(all.feasible);
  EXPECT_EQ(all.score, static_cast<double>(std::max({FbnetMultiplyAdds(FbnetOf(t.numbering.at(0))),
                                                         FbnetMultiplyAdds(FbnetOf(t.numbering.at(1))),
                                                         FbnetMultiplyAdds(FbnetOf(t.numbering.at(2)))})));
}

TEST(FbnetCommandDevice, PassesTheFbnetStringAsOneArgumentAndItsOnnx) {
  testing::TempDir dir;
  // Prints 2.5 only when given exactly two arguments: the FBNet string and an existing file.
  const auto script = testing::WriteScript(
      dir / "dev.sh", "[ \"$#\" -eq 2 ] && [ -s \"$2\" ] && printf '%s' \"$1\" > \"$(dirname \"$0\")/arg\" && echo 2.5");
  const SmallFbnetTable t(4, 1.0);
  CommandOptions options;
  options.cache_dir = dir.path();
  options.export_options.num_classes = 100;
  CommandDevice device("'" + script.string() + "' {arch} {onnx}", t.numbering, options);
  const FbnetArch net = UniformFbnetArch(FbnetBlock::kK3E1);
  EXPECT_EQ(device.Measure(ToArch(net)).latency_ms, 2.5);
  std::ifstream in(dir / "arg");
  std::string arg;
  std::getline(in, arg);
  EXPECT_EQ(arg, net.ToString());
  CommandDevice by_index("'" + script.string() + "' {index} {onnx}", t.numbering, options);
  EXPECT_THROW(by_index.Measure(ToArch(net)), DeviceError);  // not one of the numbered networks: no {index}
}

TEST(FbnetCli, MeasureReplaysTheTableThroughTheProbeSession) {
  const SpaceData data(FbnetSpace(), testing::Data().dir());
  const double expected = data.DeviceTable("fpga").At(7);
  const auto r = testing::RunCli({"--space", "fbnet", "measure", "--device", "table:fpga", "--index", "7", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["latency_ms"].get<double>(), expected);
  EXPECT_EQ(j["arch"], data.Numbering().at(7).ToString());
  EXPECT_EQ(j["index"], 7);
  EXPECT_EQ(j["space"], "fbnet");
  const auto other = testing::RunCli({"--space", "fbnet", "measure", "--device", "table:fpga", "--arch",
                                      UniformFbnetArch(FbnetBlock::kK5E6).ToString()});
  EXPECT_NE(other.exit_code, 0);
  EXPECT_NE(other.err.find("has only its 5000 networks"), std::string::npos) << other.err;
  EXPECT_EQ(testing::CountLines(other.err), 1) << other.err;
}

TEST(FbnetCli, SearchOnATableDeviceAnswersAMeasuredNetworkAndNoAccuracy) {
  const SpaceData data(FbnetSpace(), testing::Data().dir());
  std::vector<double> sorted = data.DeviceTable("fpga").values();
  std::sort(sorted.begin(), sorted.end());
  const double budget = sorted[sorted.size() / 2];
  const auto r = testing::RunCli({"--space", "fbnet", "search", "--device", "table:fpga", "--budget-ms",
                                  fmt::format("{}", budget), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_TRUE(j["feasible"].get<bool>());
  EXPECT_LE(j["latency_ms"].get<double>(), budget);
  const int index = j["index"].get<int>();
  EXPECT_EQ(j["latency_ms"].get<double>(), data.DeviceTable("fpga").At(index));  // measured (replayed), not predicted
  EXPECT_TRUE(j["accuracy"].is_null());
  EXPECT_NE(j["accuracy_unavailable"].get<std::string>().find("no accuracy"), std::string::npos);
  EXPECT_NE(j["candidates"].get<std::string>().find("answers only these"), std::string::npos);
  EXPECT_LE(j["probes_used"].get<int>(), 10);
  const auto text = testing::RunCli({"--space", "fbnet", "search", "--device", "table:fpga", "--budget-ms",
                                     fmt::format("{}", budget)});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("no accuracy reported"), std::string::npos) << text.out;
  const auto no_budget = testing::RunCli({"--space", "fbnet", "search", "--device", "table:fpga"});
  EXPECT_NE(no_budget.exit_code, 0);
  EXPECT_EQ(testing::CountLines(no_budget.err), 1) << no_budget.err;
  // Every strategy that runs on a sample answers a measured network within the budget; one that
  // needs the whole space is refused in one line naming the space.
  for (const std::string name : {"scaled-proxy", "one-proxy", "matched-proxy", "controller", "random", "safe-climb",
                                 "lut-prior", "one-proxy-refit"}) {
    const auto s = testing::RunCli({"--space", "fbnet", "search", "--device", "table:fpga", "--budget-ms",
                                    fmt::format("{}", budget), "--strategy", name, "--seed", "2", "--json"});
    ASSERT_EQ(s.exit_code, 0) << name << ": " << s.err;
    const nlohmann::json sj = nlohmann::json::parse(s.out);
    EXPECT_EQ(sj["strategy"].get<std::string>(), name);
    EXPECT_EQ(sj["score"].get<std::string>(), std::string(kFbnetDefaultScoreSource));
    EXPECT_LE(sj["latency_ms"].get<double>(), budget);
    EXPECT_EQ(sj["latency_ms"].get<double>(), data.DeviceTable("fpga").At(sj["index"].get<int>()));
  }
  const auto nb201_only = testing::RunCli({"--space", "fbnet", "search", "--device", "table:fpga", "--budget-ms",
                                           fmt::format("{}", budget), "--strategy", "evolution"});
  EXPECT_NE(nb201_only.exit_code, 0);
  EXPECT_EQ(testing::CountLines(nb201_only.err), 1) << nb201_only.err;
  EXPECT_NE(nb201_only.err.find("fbnet"), std::string::npos) << nb201_only.err;
}

}  // namespace
}  // namespace simnas
