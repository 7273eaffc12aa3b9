// simnas measure-all with rounds (probe/measure_all.h): every architecture measured once per
// round, each round its own run id in the probe store, the CSV holding the median of the rounds;
// resumable round by round. A scripted device: each architecture's k-th measurement is its base
// latency times the k-th of a fixed list of factors, so the median is known exactly.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <random>
#include <string>
#include <vector>

#include "simnas/core/error.h"
#include "simnas/core/file_util.h"
#include "simnas/data/latency_table.h"
#include "simnas/devices/device.h"
#include "simnas/probe/measure_all.h"
#include "simnas/probe/probe_store.h"
#include "simnas/space/candidates.h"
#include "simnas/space/registry.h"
#include "simnas/space/space.h"
#include "test_support.h"

namespace simnas {
namespace {

class ScriptedDevice : public Device {
 public:
  explicit ScriptedDevice(std::vector<double> factors) : factors_(std::move(factors)) {}
  std::string Spec() const override { return "scripted"; }
  std::string Fingerprint() const override { return "scripted-device"; }
  bool IsLive() const override { return true; }
  Measurement Measure(const Arch& arch) override {
    ++calls;
    const std::string key = arch.ToString();
    if (fail_on_call.contains(calls)) throw DeviceError("scripted failure of " + key);
    const int k = seen_[key]++;
    Measurement m;
    m.latency_ms = Base(arch) * factors_[static_cast<std::size_t>(k) % factors_.size()];
    m.spread = 0.01 * (k + 1);
    m.repeats = 10;
    return m;
  }
  // A latency per architecture (its choices as digits).
  static double Base(const Arch& arch) {
    double ms = 1;
    for (std::uint8_t c : arch.choices()) ms = ms * 1.07 + c;
    return ms;
  }
  int calls = 0;
  std::set<int> fail_on_call;

 private:
  std::vector<double> factors_;
  std::map<std::string, int> seen_;
};

// 12 random architectures of a registered space (no data needed: the space's positions only).
CandidateSet SomeArchs() {
  const Space& space = DefaultSpace();
  std::mt19937_64 rng(5);
  std::vector<Arch> archs;
  while (archs.size() < 12) {
    Arch a = space.RandomArch(rng);
    if (std::find(archs.begin(), archs.end(), a) == archs.end()) archs.push_back(std::move(a));
  }
  return CandidateSet(space, std::move(archs), "twelve test architectures");
}

MeasureAllJob Job(const Device& device, const CandidateSet& archs, const testing::TempDir& dir, int rounds) {
  MeasureAllRequest request;
  request.device_spec = device.Spec();
  request.out = dir / "measured.csv";
  request.rounds = rounds;
  return MakeMeasureAllJob(device, archs, request);
}

TEST(MeasureAllRounds, TheTableHoldsTheMedianOfTheRoundsAndEachRoundIsStored) {
  const CandidateSet archs = SomeArchs();
  testing::TempDir dir;
  ProbeStore store(dir / "p.sqlite");
  ScriptedDevice device({1.3, 1.0, 0.8});  // the median factor is 1.0, whatever the order
  const MeasureAllJob job = Job(device, archs, dir, 3);
  const MeasureAllOutcome outcome = MeasureAllToCsv(device, archs, job, store);
  EXPECT_EQ(outcome.written, 12);
  EXPECT_EQ(outcome.measured_now, 36);
  EXPECT_TRUE(outcome.missing.empty());
  EXPECT_EQ(device.calls, 36);
  const LatencyTable table = LoadLatencyCsv(job.out, archs.size());
  for (int i = 0; i < archs.size(); ++i) EXPECT_DOUBLE_EQ(table.At(i), ScriptedDevice::Base(archs.at(i))) << i;
  const std::string csv = ReadFile(job.out);
  EXPECT_NE(csv.find("--rounds 3"), std::string::npos) << csv;
  EXPECT_NE(csv.find("# rounds: 3"), std::string::npos) << csv;

  // The same job again measures nothing: every round replays from the store.
  ScriptedDevice again({5.0});
  const MeasureAllOutcome resumed = MeasureAllToCsv(again, archs, job, store);
  EXPECT_EQ(again.calls, 0);
  EXPECT_EQ(resumed.measured_now, 0);
  EXPECT_EQ(resumed.written, 12);
  // One round is the first round of the same run id: the first measurement of each.
  testing::TempDir dir1;
  MeasureAllJob one = Job(device, archs, dir1, 1);
  EXPECT_EQ(one.run_id, job.run_id);
  const MeasureAllOutcome first = MeasureAllToCsv(again, archs, one, store);
  EXPECT_EQ(again.calls, 0);
  EXPECT_EQ(first.measured_now, 0);
  const LatencyTable first_table = LoadLatencyCsv(one.out, archs.size());
  for (int i = 0; i < archs.size(); ++i) {
    EXPECT_DOUBLE_EQ(first_table.At(i), ScriptedDevice::Base(archs.at(i)) * 1.3) << i;
  }
}

TEST(MeasureAllRounds, AnArchitectureFailingOneRoundKeepsTheOthersAndIsNotMissing) {
  const CandidateSet archs = SomeArchs();
  testing::TempDir dir;
  ProbeStore store(dir / "p.sqlite");
  ScriptedDevice device({1.0, 1.2});
  // Round 2's first architecture fails all its passes (the 13th call, then the two retries at
  // the end of that round's passes).
  device.fail_on_call = {13, 25, 26};
  const MeasureAllJob job = Job(device, archs, dir, 2);
  const MeasureAllOutcome outcome = MeasureAllToCsv(device, archs, job, store);
  EXPECT_TRUE(outcome.missing.empty());
  EXPECT_EQ(outcome.written, 12);
  EXPECT_EQ(outcome.measured_now, 23);
  const LatencyTable table = LoadLatencyCsv(job.out, archs.size());
  int single = 0;
  for (int i = 0; i < archs.size(); ++i) {
    const double base = ScriptedDevice::Base(archs.at(i));
    if (table.At(i) == base) {
      ++single;  // measured in round 1 only
    } else {
      EXPECT_DOUBLE_EQ(table.At(i), base * 1.1) << i;  // the median of 1.0 and 1.2
    }
  }
  EXPECT_EQ(single, 1);
}

TEST(MeasureAllRounds, RoundsOutsideTheRangeAreRefused) {
  const CandidateSet archs = SomeArchs();
  testing::TempDir dir;
  ScriptedDevice device({1.0});
  EXPECT_THROW((void)Job(device, archs, dir, 0), ParseError);
  EXPECT_THROW((void)Job(device, archs, dir, 100), ParseError);
}

}  // namespace
}  // namespace simnas
