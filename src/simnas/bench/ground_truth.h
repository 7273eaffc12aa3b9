// What the benchmark knows of a device's true latencies: the whole table for benchmark
// devices, or a measured reference sample for live ones (this machine's CPU), by index in the
// space's numbering. Used to set percentile budgets and to score answers (oracle, regret,
// latency percentile, the score block); never shown to a strategy.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "simnas/bench/run_record.h"
#include "simnas/data/latency_table.h"
#include "simnas/devices/device.h"
#include "simnas/probe/probe_session.h"
#include "simnas/probe/probe_store.h"
#include "simnas/space/candidates.h"
#include "simnas/space/score_table.h"

namespace simnas {

class GroundTruth {
 public:
  static GroundTruth FromTable(const LatencyTable& table, std::string source);
  // `measured`: (index, ms) of a numbering of `size` architectures.
  static GroundTruth FromSample(const std::vector<std::pair<int, double>>& measured, int size, std::string source);

  bool Has(int index) const;
  double At(int index) const;  // NaN when unknown
  const std::vector<int>& known() const { return known_; }
  // Latency by index in the numbering, NaN where unknown.
  const std::vector<double>& values() const { return ms_; }
  bool complete() const { return known_.size() == ms_.size(); }
  const std::string& source() const { return source_; }
  // Percentile q in [0, 100] of the known latencies.
  double Percentile(double q) const;
  // Fraction of known architectures at or below `ms`.
  double PercentileRank(double ms) const;

 private:
  std::vector<double> ms_;
  std::vector<int> known_;
  std::vector<double> sorted_;
  std::string source_;
};

// The measured part of a live device's reference sample: (index, ms) sorted by index, and the
// architectures left out after every pass failed.
struct MeasuredSample {
  std::vector<std::pair<int, double>> measured;
  int left_out = 0;
  int measured_now = 0;  // on the device (the rest replayed from the store)
};
// Measures `indices` of `numbering` on a live device through a SharedMeasurementDevice (an
// architecture this device measured before, in any run, replays from the store), in
// kMeasurePasses passes (probe/measure_passes.h); `what` names the sample in the progress line.
// Throws DeviceError, naming the device and its last problem, when it answered none of them.
MeasuredSample MeasureSample(Device& device, const CandidateSet& numbering, const std::vector<int>& indices,
                             const std::string& run_id, ProbeStore& store, const std::string& what);

// Measures (or, for architectures this device already measured, replays from the store) a
// reference sample of a live device: the `top` best of `numbering` by each given score plus
// `random` uniformly random ones (seeded). Resumable: measurements go to the store as taken.
GroundTruth MeasureReferenceSample(Device& device, const CandidateSet& numbering,
                                   const std::vector<const ScoreTable*>& proxies, int top, int random,
                                   std::uint64_t seed, ProbeStore& store);

// A live device's reference sample with budgets of its own (ReferencePerBudget groups):
//  1. `random` architectures drawn uniformly (seeded) are measured; the budget of percentile q
//     is the q-th percentile of THEIR latencies (an unbiased sample of the distribution);
//  2. then, per budget, the `top` architectures with the best `objective` among those predicted
//     within it by the train table most rank-correlated (SRCC) with the random ones, its
//     latencies scaled by the median measured/table ratio: the ones most likely to be the best
//     within that budget, so that the reference's best is not just the best of the random ones.
// Every measurement goes through a SharedMeasurementDevice (store). `budgets_ms` gets one
// budget per percentile. Throws Error when fewer than 3 random architectures are asked for or
// could be measured.
GroundTruth MeasureBudgetReference(Device& device, const CandidateSet& numbering, const ScoreTable& objective,
                                   const std::vector<const LatencyTable*>& train_tables,
                                   const std::vector<double>& percentiles, int top, int random, std::uint64_t seed,
                                   ProbeStore& store, std::vector<double>& budgets_ms);

// A live device whose measurements are shared across the benchmark's runs: an architecture of
// `space` this device (same fingerprint) has measured before, in any run, is answered from the
// store; anything else is measured and stored. Benchmark only: it lets hundreds of seeded
// searches on the CPU reuse each other's measurements. Another space's architecture: DeviceError.
class SharedMeasurementDevice : public Device {
 public:
  SharedMeasurementDevice(Device& inner, ProbeStore& store, const CandidateSet& space);
  std::string Spec() const override { return inner_->Spec(); }
  std::string Fingerprint() const override { return inner_->Fingerprint(); }
  bool IsLive() const override { return true; }
  Measurement Measure(const Arch& arch) override;
  int measured() const { return measured_; }

 private:
  Device* inner_;
  ProbeStore* store_;
  const CandidateSet* space_;
  std::map<Arch, Measurement> known_;
  int measured_ = 0;
};

// The part of a benchmark row's answer that every kind shares: the probed network `chosen` (its
// index, string, measured latency), its latency on the ground truth, and where that falls in
// `gt` (latency_percentile). Accuracy, proxy, regret and reward are the caller's.
RunAnswer MeasuredAnswer(const ProbeRecord& chosen, double true_latency_ms, const GroundTruth& gt);

}  // namespace simnas
