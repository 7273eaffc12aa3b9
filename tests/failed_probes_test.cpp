// A search survives a probe the device refuses: the failure is recorded (history, store, report),
// costs that one probe, the strategy goes on with its next choice and answers from measured
// cells; a resumed run replays the failure as a failure; a device that refuses everything ends
// the search with one line saying so.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <set>

#include <nlohmann/json.hpp>

#include "simnas/latency_model/feature_linear.h"
#include "simnas/core/error.h"
#include "simnas/devices/table_device.h"
#include "simnas/spaces/fbnet/fbnet_space.h"
#include "simnas/devices/table_device.h"
#include "simnas/probe/probe_session.h"
#include "simnas/probe/probe_store.h"
#include "simnas/spaces/fbnet/fbnet_cost.h"
#include "simnas/proxies/proxy_table.h"
#include "simnas/spaces/fbnet/fbnet_space.h"
#include "simnas/spaces/fbnet/fbnet_space.h"
#include "simnas/strategies/registry.h"
#include "simnas/strategies/registry.h"
#include "simnas/strategies/search_runner.h"
#include "fixture_data.h"
#include "test_support.h"

namespace simnas {
namespace {

// Answers like `inner`, but refuses the architectures in `refused` (and everything once
// `refuse_all` is set) with a DeviceError, as a live device refuses a cell it cannot time.
class RefusingDevice : public Device {
 public:
  RefusingDevice(Device& inner, bool live) : inner_(inner), live_(live) {}
  std::string Spec() const override { return "refusing:" + inner_.Spec(); }
  std::string Fingerprint() const override { return "refusing|" + inner_.Fingerprint(); }
  bool IsLive() const override { return live_; }
  Measurement Measure(const Arch& arch) override {
    ++calls;
    asked.push_back(arch.ToString());
    if (refuse_all || refused.count(arch.ToString()) > 0) {
      throw DeviceError("timings of " + arch.ToString() + " stayed too noisy");
    }
    return inner_.Measure(arch);
  }
  std::set<std::string> refused;
  bool refuse_all = false;
  int calls = 0;
  std::vector<std::string> asked;

 private:
  Device& inner_;
  bool live_;
};

const BenchmarkData& Data() { return testing::FixtureData(); }

TEST(FailedProbes, ARefusedCellCostsOneProbeIsRecordedAndIsNeverAnAnswer) {
  testing::TempDir dir;
  ProbeStore store(dir / "p.sqlite");
  TableDevice table("table:gold_6240", Data().DeviceTable("gold_6240"), Data().space());
  RefusingDevice device(table, /*live=*/true);
  std::mt19937_64 rng(3);
  const Cell a = RandomCell(rng), b = RandomCell(rng), c = RandomCell(rng);
  device.refused.insert(b.ToString());
  ProbeSession session(device, Data().space(), 5, &store, "run-f");
  ASSERT_NE(session.TryProbe(ToArch(a)), nullptr);
  const ProbeRecord* failed = session.TryProbe(ToArch(b));
  ASSERT_NE(failed, nullptr);
  EXPECT_TRUE(failed->failed());
  EXPECT_NE(failed->failure.find("too noisy"), std::string::npos) << failed->failure;
  EXPECT_EQ(session.used(), 2);  // the failure cost exactly its probe
  EXPECT_EQ(session.failures(), 1);
  EXPECT_TRUE(session.WasProbed(ToArch(b)));
  EXPECT_EQ(session.Find(ToArch(b)), nullptr);  // no measured record
  EXPECT_EQ(session.TryProbe(ToArch(b)), failed);  // asked again: the same failure, free, not measured again
  EXPECT_EQ(device.calls, 2);
  ASSERT_NE(session.TryProbe(ToArch(c)), nullptr);
  ASSERT_EQ(session.measured().size(), 2u);
  EXPECT_EQ(session.measured()[0].arch, ToArch(a));
  EXPECT_EQ(session.measured()[1].arch, ToArch(c));
  EXPECT_EQ(session.history().size(), 3u);
  EXPECT_THROW(session.Probe(ToArch(b)), DeviceError);  // a list caller is told, not handed a latency

  // The store holds the failure with its reason; a device's measurements leave it out.
  const std::vector<StoredProbe> rows = store.Load("run-f", device.Fingerprint(), "nb201");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_FALSE(rows[0].failed());
  EXPECT_TRUE(rows[1].failed());
  EXPECT_EQ(rows[1].arch, b.ToString());
  EXPECT_NE(rows[1].failure.find("too noisy"), std::string::npos);
  for (const StoredProbe& p : store.LoadDevice(device.Fingerprint(), "nb201")) {
    EXPECT_FALSE(p.failed()) << p.arch;
  }
  EXPECT_EQ(store.LoadDevice(device.Fingerprint(), "nb201").size(), 2u);

  // The answer rule never answers the failed cell, even when its zero latency would win.
  SearchTask task;
  task.latency_budget_ms = 1e9;
  const SearchAnswer answer = ChooseAnswer(session.history(), task, testing::ScoresOf(testing::FixtureProxy()));
  ASSERT_TRUE(answer.found);
  EXPECT_NE(answer.chosen.arch, ToArch(b));
  EXPECT_FALSE(answer.chosen.failed());
}

TEST(FailedProbes, AResumedRunReplaysItsFailuresWithoutMeasuringThemAgain) {
  testing::TempDir dir;
  TableDevice table("table:gold_6240", Data().DeviceTable("gold_6240"), Data().space());
  std::mt19937_64 rng(4);
  const Cell a = RandomCell(rng), b = RandomCell(rng);
  {
    ProbeStore store(dir / "p.sqlite");
    RefusingDevice device(table, true);
    device.refused.insert(b.ToString());
    ProbeSession session(device, Data().space(), 4, &store, "run-r");
    session.TryProbe(ToArch(a));
    session.TryProbe(ToArch(b));
  }
  ProbeStore store(dir / "p.sqlite");
  RefusingDevice device(table, true);  // would measure b now: the replay must not ask it
  {
    ProbeSession resumed(device, Data().space(), 4, &store, "run-r");
    const ProbeRecord* ra = resumed.TryProbe(ToArch(a));
    const ProbeRecord* rb = resumed.TryProbe(ToArch(b));
    ASSERT_NE(ra, nullptr);
    ASSERT_NE(rb, nullptr);
    EXPECT_TRUE(ra->replayed);
    EXPECT_FALSE(ra->failed());
    EXPECT_TRUE(rb->replayed);
    EXPECT_TRUE(rb->failed());
    EXPECT_NE(rb->failure.find("too noisy"), std::string::npos);
    EXPECT_EQ(device.calls, 0);
    EXPECT_EQ(resumed.used(), 2);  // the replayed failure still counts against the budget
  }
  // A list measurement (measure-all's path) of the same run id measures the failed cell again.
  ProbeSession list(device, Data().space(), 4, &store, "run-r");
  EXPECT_TRUE(list.Probe(ToArch(a)).replayed);
  EXPECT_FALSE(list.Probe(ToArch(b)).failed());
  EXPECT_EQ(device.calls, 1);
}

TEST(FailedProbes, AListMeasurementPropagatesTheErrorAndRecordsNothing) {
  testing::TempDir dir;
  ProbeStore store(dir / "p.sqlite");
  TableDevice table("table:gold_6240", Data().DeviceTable("gold_6240"), Data().space());
  RefusingDevice device(table, true);
  const Cell a = Data().space().CellAt(17);
  device.refused.insert(a.ToString());
  ProbeSession session(device, Data().space(), 1, &store, "run-l");
  EXPECT_THROW(session.Probe(ToArch(a)), DeviceError);
  EXPECT_EQ(session.used(), 0);
  EXPECT_TRUE(store.Load("run-l", device.Fingerprint(), "nb201").empty());
  device.refused.clear();
  EXPECT_FALSE(session.Probe(ToArch(a)).failed());  // retried later, it is measured
}

TEST(FailedProbes, ADeviceThatRefusesEverythingStopsAfterThreeInARowAndTheSearchSaysSo) {
  TableDevice table("table:gold_6240", Data().DeviceTable("gold_6240"), Data().space());
  RefusingDevice device(table, false);
  device.refuse_all = true;
  std::unique_ptr<Strategy> strategy = MakeStrategy("random", testing::RepoStrategyResources(), Nb201Space());
  const auto setup = testing::Setup(Data(), testing::FixtureProxy(), device);
  const SearchContext& context = setup->context();
  SearchTask task;
  task.latency_budget_ms = 10;
  try {
    RunSearch(*strategy, device, task, 10, context, nullptr, "");
    FAIL() << "a search with nothing measured answered";
  } catch (const DeviceError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("every probe failed"), std::string::npos) << what;
    EXPECT_NE(what.find("too noisy"), std::string::npos) << what;
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
  }
  EXPECT_EQ(device.calls, kMaxFailedProbesInARow);  // not the whole budget of 10
}

TEST(FailedProbes, FailuresInARowAfterAMeasurementStopTheSearchWhichAnswersFromWhatItMeasured) {
  TableDevice table("table:gold_6240", Data().DeviceTable("gold_6240"), Data().space());
  RefusingDevice device(table, false);
  ProbeSession session(device, Data().space(), 10);
  std::mt19937_64 rng(9);
  ASSERT_FALSE(session.TryProbe(ToArch(RandomCell(rng)))->failed());
  device.refuse_all = true;
  for (int i = 0; i < kMaxFailedProbesInARow; ++i) ASSERT_TRUE(session.TryProbe(ToArch(RandomCell(rng)))->failed());
  EXPECT_EQ(session.remaining(), 0);
  EXPECT_EQ(session.TryProbe(ToArch(RandomCell(rng))), nullptr);
  EXPECT_NE(session.stopped_reason().find("in a row"), std::string::npos);
  EXPECT_NO_THROW(session.ThrowIfEveryProbeFailed());
}

// Every probing strategy, on a device that refuses cells it chose (its first and third probe of
// an undisturbed run; the first is its first choice again): the search answers a measured cell,
// lists the refused ones as failed, never asks for a cell twice and stays within its budget.
class SearchWithAFailedProbe : public ::testing::TestWithParam<std::string> {};

TEST_P(SearchWithAFailedProbe, GoesOnWithTheNextChoiceAndAnswersFromMeasuredCells) {
  TableDevice table("table:gold_6240", Data().DeviceTable("gold_6240"), Data().space());
  std::vector<double> sorted = Data().DeviceTable("gold_6240").values();
  std::sort(sorted.begin(), sorted.end());
  const double median = sorted[sorted.size() / 2];
  for (std::optional<double> budget_ms : {std::optional<double>(median), std::optional<double>()}) {
    SCOPED_TRACE(budget_ms ? "with a latency budget" : "unconstrained");
    const int probes = 8;
    SearchTask task;
    task.latency_budget_ms = budget_ms;
    task.seed = 11;
    RefusingDevice device(table, false);
    const auto setup = testing::Setup(Data(), testing::FixtureProxy(), device);
    const SearchContext& context = setup->context();
    std::unique_ptr<Strategy> strategy = MakeStrategy(GetParam(), testing::RepoStrategyResources(), Nb201Space());
    const SearchReport clean = RunSearch(*strategy, device, task, probes, context, nullptr, "");
    ASSERT_GE(clean.trajectory.size(), 3u);
    device.refused = {clean.trajectory[0].arch.ToString(), clean.trajectory[2].arch.ToString()};
    device.asked.clear();
    const SearchReport report = RunSearch(*strategy, device, task, probes, context, nullptr, "");
    EXPECT_LE(report.probes_used, probes);
    // The first choice is refused for sure; after it the strategy may go elsewhere.
    ASSERT_FALSE(report.trajectory.empty());
    EXPECT_TRUE(report.trajectory[0].failed());
    EXPECT_GE(report.failed_probes, 1);
    EXPECT_GT(report.probes_used, report.failed_probes);
    std::set<std::string> asked(device.asked.begin(), device.asked.end());
    EXPECT_EQ(asked.size(), device.asked.size()) << "a cell was asked for twice";
    int failed = 0;
    for (const ProbeRecord& r : report.trajectory) {
      if (r.failed()) {
        ++failed;
        EXPECT_EQ(device.refused.count(r.arch.ToString()), 1u) << r.arch.ToString();
      }
    }
    EXPECT_EQ(failed, report.failed_probes);
    ASSERT_TRUE(report.answer.found);
    EXPECT_FALSE(report.answer.chosen.failed());
    EXPECT_EQ(device.refused.count(report.answer.chosen.arch.ToString()), 0u);
    EXPECT_EQ(report.answer.chosen.measurement.latency_ms,
              Data().DeviceTable("gold_6240").At(report.answer.chosen.index));
    // The report lists the failures with their reasons.
    const nlohmann::json j = ReportToJson(report, *context.candidates);
    EXPECT_EQ(j["failed_probes"], report.failed_probes);
    int listed = 0;
    for (const auto& p : j["trajectory"]) listed += p.contains("failure") && p["latency_ms"].is_null();
    EXPECT_EQ(listed, report.failed_probes);
  }
}

INSTANTIATE_TEST_SUITE_P(Strategies, SearchWithAFailedProbe,
                         ::testing::Values("random", "one-proxy", "evolution", "lut-prior", "safe-climb"),
                         [](const auto& info) {
                           std::string n = info.param;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

// The FBNet strategies likewise (the controller ends its walk at the failed probe).
TEST(SearchWithAFailedProbe, EveryFbnetStrategyGoesOnAndAnswersFromMeasuredNetworks) {
  const CandidateSet numbering = testing::FbnetCandidates(SampleFbnetArchs(5, 300));
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> cost(0.05, 1.0);
  Eigen::VectorXd w(FbnetSpace().FeatureCount("onehot"));
  for (Eigen::Index i = 0; i < w.size(); ++i) w(i) = cost(rng);
  const Eigen::VectorXd ms = EncodeCandidates(numbering, "onehot") * w;
  const LatencyTable target("target", std::vector<double>(ms.data(), ms.data() + ms.size()));
  const Eigen::VectorXd scaled_ms = ms * 0.05;
  const LatencyTable scaled("scaled", std::vector<double>(scaled_ms.data(), scaled_ms.data() + scaled_ms.size()));
  const ScoreTable objective = MakeScoreTable(numbering, Dataset::kCifar100, "macs", {});
  SearchContext inputs;
  inputs.candidates = &numbering;
  inputs.train_tables = {&scaled};
  inputs.scores = &objective;
  std::vector<double> sorted = target.values();
  std::sort(sorted.begin(), sorted.end());
  const double budget = sorted[sorted.size() / 2];
  TableDevice table("table:target", target, numbering);
  for (const std::string name : {"scaled-proxy", "one-proxy", "matched-proxy", "random"}) {
    SCOPED_TRACE(name);
    RefusingDevice device(table, false);
    const auto strategy = MakeStrategy(name, {}, FbnetSpace());
    const SearchReport clean = RunSearch(*strategy, device, SearchTask{budget, 3}, 8, inputs, nullptr, "");
    ASSERT_GE(clean.trajectory.size(), 2u);
    device.refused = {clean.trajectory[0].arch.ToString()};
    device.asked.clear();
    const SearchReport report = RunSearch(*strategy, device, SearchTask{budget, 3}, 8, inputs, nullptr, "");
    EXPECT_EQ(report.failed_probes, 1);
    EXPECT_LE(report.probes_used, 8);
    EXPECT_GE(report.probes_used, 2);
    std::set<std::string> asked(device.asked.begin(), device.asked.end());
    EXPECT_EQ(asked.size(), device.asked.size()) << "a network was asked for twice";
    ASSERT_TRUE(report.answer.found);
    EXPECT_FALSE(report.answer.chosen.failed());
    EXPECT_EQ(report.answer.chosen.measurement.latency_ms, target.At(report.answer.chosen.index));
  }
}

// The CLI on a `cmd:` device whose program fails for one architecture (the second it is asked
// for, every attempt): the search answers, lists the cell as failed, and a resume of the run id
// asks the program nothing.
TEST(FailedProbeCli, ACmdDeviceFailingOneCellStillAnswersAndTheResumeMeasuresNothingAgain) {
  testing::TempDir dir;
  const auto script = testing::WriteScript(
      dir / "dev.sh",
      "d=\"$(dirname \"$0\")\"; echo \"$1\" >> \"$d/calls\"; n=$(sort -u \"$d/calls\" | wc -l); "
      "if [ ! -f \"$d/bad\" ] && [ \"$n\" -eq 2 ]; then echo \"$1\" > \"$d/bad\"; fi; "
      "if [ -f \"$d/bad\" ] && [ \"$1\" = \"$(cat \"$d/bad\")\" ]; then echo 'cannot compile this one' >&2; exit 3; fi; "
      "echo \"$((n % 7 + 1)).5\"");
  {
    std::ofstream proxy(dir / "proxy.csv");
    proxy << "# simnas proxy table v2\nindex,naswot,logsynflow,skip,meco\n";
    for (int i = 0; i < kNumCells; ++i) proxy << i << "," << (i % 101) << "," << (i % 37) << ",0," << (i % 101) << "\n";
  }
  const std::vector<std::string> args = {"--store", (dir / "p.sqlite").string(), "search", "--device",
                                         "cmd:'" + script.string() + "' {arch}", "--strategy", "random",
                                         "--probes", "5", "--run-id", "fail-one", "--seed", "5",
                                         "--proxy-table", (dir / "proxy.csv").string(), "--json"};
  // The program's calls (with the device's retries) and the distinct architectures, in order.
  const auto read_calls = [&] {
    std::ifstream in(dir / "calls");
    std::vector<std::string> calls;
    for (std::string line; std::getline(in, line);) calls.push_back(line);
    return calls;
  };
  const auto distinct = [](const std::vector<std::string>& calls) {
    std::vector<std::string> out;
    for (const std::string& c : calls) {
      if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
    }
    return out;
  };
  const testing::CliResult first = testing::RunCli(args, 120);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const std::size_t calls_after_first = read_calls().size();
  const std::vector<std::string> calls = distinct(read_calls());
  ASSERT_EQ(calls.size(), 5u);
  const nlohmann::json j = nlohmann::json::parse(first.out);
  EXPECT_EQ(j["failed_probes"], 1);
  EXPECT_EQ(j["probes_used"], 5);
  ASSERT_EQ(j["trajectory"].size(), 5u);
  EXPECT_EQ(j["trajectory"][1]["arch"], calls[1]);
  EXPECT_NE(j["trajectory"][1]["failure"].get<std::string>().find("cannot compile"), std::string::npos);
  EXPECT_NE(j["arch"], calls[1]);
  EXPECT_FALSE(j["latency_ms"].is_null());

  const testing::CliResult resumed = testing::RunCli(args, 120);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(read_calls().size(), calls_after_first) << "the resume measured again";
  const nlohmann::json k = nlohmann::json::parse(resumed.out);
  EXPECT_EQ(k["failed_probes"], 1);
  EXPECT_EQ(k["trajectory"][1]["replayed"], true);
  EXPECT_EQ(k["arch"], j["arch"]);

  // The text report names the failed cell and its reason.
  std::vector<std::string> text_args = args;
  text_args.pop_back();
  const testing::CliResult text = testing::RunCli(text_args, 120);
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("FAILED"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("failed probe " + calls[1]), std::string::npos) << text.out;
  // Its progress line says the failure was replayed, not measured again.
  EXPECT_NE(text.err.find("FAILED (replayed from the probe store, not measured again)"), std::string::npos) << text.err;
}

// A search on a live device prints one progress line per probe on stderr, as it measures: the
// probe's number, its latency (or its failure) and the cell.
TEST(SearchProgressCli, ALiveSearchPrintsALinePerProbe) {
  testing::TempDir dir;
  const auto script = testing::WriteScript(
      dir / "dev.sh", "case \"$1\" in *nor_conv_3x3~0*) echo 'too slow to compile' >&2; exit 3;; esac; echo 4.25");
  {
    std::ofstream proxy(dir / "proxy.csv");
    proxy << "# simnas proxy table v2\nindex,naswot,logsynflow,skip,meco\n";
    for (int i = 0; i < kNumCells; ++i) proxy << i << "," << (i % 101) << "," << (i % 37) << ",0," << (i % 101) << "\n";
  }
  const testing::CliResult r = testing::RunCli(
      {"--store", (dir / "p.sqlite").string(), "search", "--device", "cmd:'" + script.string() + "' {arch}",
       "--strategy", "random", "--probes", "4", "--seed", "2", "--proxy-table", (dir / "proxy.csv").string()},
      120);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (int i = 1; i <= 4; ++i) {
    EXPECT_NE(r.err.find("probe " + std::to_string(i) + "/4: "), std::string::npos) << r.err;
  }
  const bool any_failed = r.err.find("FAILED after") != std::string::npos;
  EXPECT_EQ(any_failed, r.out.find("failed probe") != std::string::npos) << r.err << r.out;
  EXPECT_NE(r.err.find("4.250 ms"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace simnas
