// FBNet on live devices, hermetic (fixture networks, a live-flagged lookup-table device):
//  - `simnas --space fbnet measure-all` (probe/measure_all.h): the written CSV replays exactly as
//    a `table:PATH` FBNet device; an interrupted run resumes where it stopped (what was measured
//    replays from the probe store, only the rest is measured).
#include <gtest/gtest.h>

#include <fstream>
#include <numeric>
#include <random>
#include <sstream>

#include "simnas/bench/ground_truth.h"
#include "simnas/core/error.h"
#include "simnas/core/stats.h"
#include "simnas/data/latency_table.h"
#include "simnas/devices/synthetic_device.h"
#include "simnas/devices/table_device.h"
#include "simnas/spaces/fbnet/fbnet_space.h"
#include "simnas/probe/measure_all.h"
#include "simnas/probe/probe_store.h"
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
  const CandidateSet networks = testing::FbnetCandidates(SampleFbnetArchs(5, 60));
  LiveLutDevice device(RandomLut(1));
  ProbeStore store(dir / "p.sqlite");
  const MeasureAllJob job = Job(dir, networks.size(), 25);
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
    const Arch& arch = networks.at(index);
    EXPECT_EQ(replay.Measure(arch).latency_ms, fresh.Measure(arch).latency_ms) << index;  // exactly
  }
  // A network the sample did not measure is refused by name, not invented.
  for (int index = 0; index < networks.size(); ++index) {
    if (std::find(job.indices.begin(), job.indices.end(), index) != job.indices.end()) continue;
    EXPECT_THROW((void)replay.Measure(networks.at(index)), DeviceError);
    break;
  }
  // All of them: a full table.
  testing::TempDir all_dir;
  ProbeStore all_store(all_dir / "p.sqlite");
  const MeasureAllJob all = Job(all_dir, networks.size(), std::nullopt);
  (void)MeasureAllToCsv(device, networks, all, all_store);
  const LatencyTable full = LoadTableFile(all.out, networks);
  EXPECT_TRUE(full.Complete());
  for (int index = 0; index < networks.size(); ++index) {
    EXPECT_EQ(full.At(index), fresh.Measure(networks.at(index)).latency_ms);
  }
}

TEST(FbnetMeasureAll, ATableOfOtherNetworksIsRefused) {
  testing::TempDir dir;
  const CandidateSet networks = testing::FbnetCandidates(SampleFbnetArchs(5, 30));
  LiveLutDevice device(RandomLut(2));
  ProbeStore store(dir / "p.sqlite");
  const MeasureAllJob job = Job(dir, networks.size(), 10);
  (void)MeasureAllToCsv(device, networks, job, store);
  const CandidateSet others = testing::FbnetCandidates(SampleFbnetArchs(6, 30));
  try {
    (void)LoadTableFile(job.out, others);
    FAIL() << "a table of other networks was read";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("is not the network of index"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)MeasureAllIndices(networks.size(), 31, 0), ParseError);
}

TEST(FbnetMeasureAll, AnInterruptedRunResumesWhereItStopped) {
  const CandidateSet networks = testing::FbnetCandidates(SampleFbnetArchs(8, 50));
  // Uninterrupted, for comparison.
  testing::TempDir once_dir;
  ProbeStore once_store(once_dir / "p.sqlite");
  LiveLutDevice once(RandomLut(3));
  const MeasureAllJob once_job = Job(once_dir, networks.size(), 40);
  (void)MeasureAllToCsv(once, networks, once_job, once_store);

  testing::TempDir dir;
  ProbeStore store(dir / "p.sqlite");
  LiveLutDevice device(RandomLut(3));
  const MeasureAllJob job = Job(dir, networks.size(), 40);
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

}  // namespace
}  // namespace simnas
