// FBNet on live devices, hermetic (fixture networks, a live-flagged lookup-table device):
//  - `simnas --space fbnet measure-all` (probe/measure_all.h): the written CSV replays exactly as
//    a `table:PATH` FBNet device; an interrupted run resumes where it stopped (what was measured
//    replays from the probe store, only the rest is measured);
//  - the `fbnet-percentile` benchmark kind on a live device (bench/fbnet_bench.h): budgets from
//    the random part of a measured reference sample, proxy regret against the measured networks,
//    measurements shared by the runs, nothing measured again on resume.
#include <gtest/gtest.h>

#include <fstream>
#include <numeric>
#include <random>
#include <sstream>

#include "simnas/bench/fbnet_bench.h"
#include "simnas/bench/ground_truth.h"
#include "simnas/core/error.h"
#include "simnas/core/stats.h"
#include "simnas/data/latency_table.h"
#include "simnas/devices/synthetic_device.h"
#include "simnas/devices/table_device.h"
#include "simnas/spaces/fbnet/fbnet_space.h"
#include "simnas/probe/measure_all.h"
#include "simnas/probe/probe_store.h"
#include "simnas/spaces/fbnet/fbnet_numbering.h"
#include "test_support.h"

namespace simnas {
namespace {

namespace fs = std::filesystem;

SyntheticLut RandomLut(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  SyntheticLut lut = SyntheticLut::ZerosOf(FbnetSpace());
  lut.fixed_ms = 2.5;
  for (auto& layer : lut.cost_ms) {
    for (double& v : layer) v = u(rng) / 3.0;  // values with many digits
  }
  return lut;
}

// A lookup-table device that says it is live (so the probe session stores and replays its
// measurements, as for `local`), counting calls; it can be interrupted after `stop_after` calls.
class LiveLutDevice : public Device {
 public:
  explicit LiveLutDevice(const SyntheticLut& lut)
      : inner_(FbnetSpace(), 7, lut, SyntheticOptions::DefaultOf(FbnetSpace()), false) {}
  std::string Spec() const override { return "live-lut"; }
  std::string Fingerprint() const override { return "live-lut|" + inner_.Fingerprint(); }
  bool IsLive() const override { return true; }
  Measurement Measure(const Arch& arch) override {
    if (stop_after >= 0 && calls >= stop_after) throw Interrupted("measure-all interrupted");
    ++calls;
    Measurement m = inner_.Measure(arch);
    m.spread = 0.01;
    m.repeats = 5;
    return m;
  }
  int calls = 0;
  int stop_after = -1;

 private:
  SyntheticDevice inner_;
};

std::string ReadText(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

MeasureAllJob Job(const testing::TempDir& dir, int count, std::optional<int> sample) {
  MeasureAllJob job;
  job.indices = MeasureAllIndices(count, sample, 3);
  job.out = dir / "measured.csv";
  job.comments = {"test"};
  job.run_id = "measure-all:test";
  return job;
}

TEST(FbnetMeasureAll, TheWrittenTableReplaysExactlyAsATableDevice) {
  testing::TempDir dir;
  const FbnetNumbering networks(SampleFbnetArchs(5, 60));
  LiveLutDevice device(RandomLut(1));
  ProbeStore store(dir / "p.sqlite");
  const MeasureAllJob job = Job(dir, networks.Count(), 25);
  const MeasureAllOutcome outcome = MeasureAllToCsv(device, networks, job, store);
  EXPECT_EQ(outcome.written, 25);
  EXPECT_EQ(outcome.measured_now, 25);
  EXPECT_TRUE(outcome.missing.empty());

  TableDevice replay("table:" + job.out.string(),
                          std::make_unique<LatencyTable>(LoadTableFile(job.out, networks)), networks);
  EXPECT_EQ(replay.table().CountKnown(), 25);
  EXPECT_EQ(replay.FullTable(), nullptr);  // a sample is not a full table
  LiveLutDevice fresh(RandomLut(1));
  for (int index : job.indices) {
    const FbnetArch& arch = networks.At(index);
    EXPECT_EQ(replay.Measure(ToArch(arch)).latency_ms, fresh.Measure(ToArch(arch)).latency_ms) << index;  // exactly
  }
  // A network the sample did not measure is refused by name, not invented.
  for (int index = 0; index < networks.Count(); ++index) {
    if (std::find(job.indices.begin(), job.indices.end(), index) != job.indices.end()) continue;
    EXPECT_THROW((void)replay.Measure(ToArch(networks.At(index))), DeviceError);
    break;
  }
  // All of them: a full table.
  testing::TempDir all_dir;
  ProbeStore all_store(all_dir / "p.sqlite");
  const MeasureAllJob all = Job(all_dir, networks.Count(), std::nullopt);
  (void)MeasureAllToCsv(device, networks, all, all_store);
  const LatencyTable full = LoadTableFile(all.out, networks);
  EXPECT_TRUE(full.Complete());
  for (int index = 0; index < networks.Count(); ++index) {
    EXPECT_EQ(full.At(index), fresh.Measure(ToArch(networks.At(index))).latency_ms);
  }
}

TEST(FbnetMeasureAll, ATableOfOtherNetworksIsRefused) {
  testing::TempDir dir;
  const FbnetNumbering networks(SampleFbnetArchs(5, 30));
  LiveLutDevice device(RandomLut(2));
  ProbeStore store(dir / "p.sqlite");
  const MeasureAllJob job = Job(dir, networks.Count(), 10);
  (void)MeasureAllToCsv(device, networks, job, store);
  const FbnetNumbering others(SampleFbnetArchs(6, 30));
  try {
    (void)LoadTableFile(job.out, others);
    FAIL() << "a table of other networks was read";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("is not the network of index"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)MeasureAllIndices(networks.Count(), 31, 0), ParseError);
}

TEST(FbnetMeasureAll, AnInterruptedRunResumesWhereItStopped) {
  const FbnetNumbering networks(SampleFbnetArchs(8, 50));
  // Uninterrupted, for comparison.
  testing::TempDir once_dir;
  ProbeStore once_store(once_dir / "p.sqlite");
  LiveLutDevice once(RandomLut(3));
  const MeasureAllJob once_job = Job(once_dir, networks.Count(), 40);
  (void)MeasureAllToCsv(once, networks, once_job, once_store);

  testing::TempDir dir;
  ProbeStore store(dir / "p.sqlite");
  LiveLutDevice device(RandomLut(3));
  const MeasureAllJob job = Job(dir, networks.Count(), 40);
  device.stop_after = 13;
  EXPECT_THROW((void)MeasureAllToCsv(device, networks, job, store), Interrupted);
  EXPECT_EQ(device.calls, 13);
  EXPECT_EQ(LoadTableFile(job.out, networks).CountKnown(), 13);  // what was measured is written
  device.stop_after = -1;
  const MeasureAllOutcome resumed = MeasureAllToCsv(device, networks, job, store);
  EXPECT_EQ(resumed.written, 40);
  EXPECT_EQ(resumed.measured_now, 27);  // continues, does not restart
  EXPECT_EQ(device.calls, 40);          // nothing measured twice
  EXPECT_EQ(ReadText(job.out), ReadText(once_job.out));
  // Once more: all 40 replay from the store.
  EXPECT_EQ(MeasureAllToCsv(device, networks, job, store).measured_now, 0);
  EXPECT_EQ(device.calls, 40);
}

TEST(FbnetLiveBench, BudgetsFromTheRandomSampleRegretAgainstTheMeasuredOnesAndResume) {
  testing::TempDir dir;
  const FbnetNumbering networks(SampleFbnetArchs(5, 300));
  const LatencyTable train_a("a", RandomLut(11).LatenciesOf(networks));
  const LatencyTable train_b("b", RandomLut(12).LatenciesOf(networks));
  LiveLutDevice device(RandomLut(13));
  ProbeStore store(dir / "p.sqlite");
  BenchGroup group;
  group.name = "fbnet-live";
  group.kind = "fbnet-percentile";
  group.objective = "macs";
  group.devices = {"live-lut"};
  group.percentiles = {25, 75};
  group.probes = {5};
  group.strategies = {"default", "random"};
  group.reference = {3, 40, 0};
  std::vector<RunRecord> rows;
  std::string source;
  const auto collect = [&](const nlohmann::json& m) {
    if (m.contains("row")) rows.push_back(RunRecordFromJson(m["row"]));
    if (m.contains("text")) source = m["text"].get<std::string>();
  };
  RunFbnetLiveBenchTasks(group, "live-lut", "d", 2, {}, device, networks, {&train_a, &train_b}, {}, store, collect);
  ASSERT_EQ(rows.size(), 2u * 2u * 2u);  // budgets x strategies x seeds
  EXPECT_NE(source.find("measured live on live-lut"), std::string::npos) << source;
  const int calls = device.calls;

  // The reference again: every measurement replays from the store.
  const ScoreTable objective = MakeFbnetScores(networks, "macs");
  const FbnetGroundTruth truth =
      MeasureFbnetReference(device, networks, objective, {&train_a, &train_b}, group.percentiles, group.reference, store);
  EXPECT_EQ(device.calls, calls);
  EXPECT_FALSE(truth.complete);
  EXPECT_GE(truth.latency.CountKnown(), 40);
  EXPECT_LE(truth.latency.CountKnown(), 40 + 2 * 3);
  // The budgets are percentiles of the 40 random networks' latencies, nothing else.
  std::vector<int> order(300);
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(0);
  std::shuffle(order.begin(), order.end(), rng);
  std::vector<double> random_ms;
  LiveLutDevice fresh(RandomLut(13));
  for (int k = 0; k < 40; ++k) random_ms.push_back(fresh.Measure(ToArch(networks.At(order[static_cast<std::size_t>(k)]))).latency_ms);
  ASSERT_EQ(truth.budgets_ms.size(), 2u);
  EXPECT_DOUBLE_EQ(truth.budgets_ms[0], Percentile(random_ms, 25));
  EXPECT_DOUBLE_EQ(truth.budgets_ms[1], Percentile(random_ms, 75));
  for (const RunRecord& r : rows) {
    SCOPED_TRACE(r.key);
    EXPECT_FALSE(r.ground_truth_complete);
    ASSERT_TRUE(r.fbnet.has_value());
    const double budget = *r.budget_ms;
    EXPECT_DOUBLE_EQ(budget, truth.budgets_ms[r.budget_label == "p25" ? 0 : 1]);
    const FbnetReference ref = ComputeFbnetReference(truth.latency.values(), objective.values(), budget);
    EXPECT_EQ(r.fbnet->candidates, truth.latency.CountKnown());
    EXPECT_EQ(r.fbnet->best_objective, ref.best_objective);
    ASSERT_TRUE(r.answer.has_value());
    // The answer's latency is its measurement on the device (in the sample or not).
    EXPECT_EQ(r.answer->true_latency_ms, fresh.Measure(ToArch(networks.At(r.answer->index))).latency_ms);
    if (r.feasible) {
      EXPECT_DOUBLE_EQ(*r.fbnet->regret, ref.best_objective - objective(r.answer->index));
    }
  }
  // Resumed with every run done: nothing measured, the source still described.
  std::set<std::string> done;
  for (const RunRecord& r : rows) done.insert(r.key);
  rows.clear();
  source.clear();
  RunFbnetLiveBenchTasks(group, "live-lut", "d", 2, done, device, networks, {&train_a, &train_b}, {}, store, collect);
  EXPECT_TRUE(rows.empty());
  EXPECT_FALSE(source.empty());
  EXPECT_EQ(device.calls, calls);
  // Run again from scratch on the same store: the same rows, nothing measured twice.
  RunFbnetLiveBenchTasks(group, "live-lut", "d", 2, {}, device, networks, {&train_a, &train_b}, {}, store, collect);
  EXPECT_EQ(rows.size(), 8u);
  EXPECT_EQ(device.calls, calls);
}

}  // namespace
}  // namespace simnas
