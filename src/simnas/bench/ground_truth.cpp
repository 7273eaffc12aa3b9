#include "simnas/bench/ground_truth.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "simnas/core/error.h"
#include "simnas/core/interrupt.h"
#include "simnas/core/progress.h"
#include "simnas/core/stats.h"
#include "simnas/probe/measure_passes.h"
#include "simnas/probe/probe_session.h"
#include "simnas/space/space.h"

namespace simnas {

GroundTruth GroundTruth::FromTable(const LatencyTable& table, std::string source) {
  std::vector<std::pair<int, double>> rows;
  for (int i : table.KnownIndices()) rows.emplace_back(i, table.At(i));
  return FromSample(rows, std::move(source));
}

GroundTruth GroundTruth::FromSample(const std::vector<std::pair<int, double>>& measured, std::string source) {
  GroundTruth gt;
  gt.source_ = std::move(source);
  gt.ms_.assign(kNumCells, std::numeric_limits<double>::quiet_NaN());
  for (const auto& [index, ms] : measured) {
    if (std::isnan(gt.ms_[static_cast<std::size_t>(index)])) gt.known_.push_back(index);
    gt.ms_[static_cast<std::size_t>(index)] = ms;
  }
  std::sort(gt.known_.begin(), gt.known_.end());
  for (int i : gt.known_) gt.sorted_.push_back(gt.ms_[static_cast<std::size_t>(i)]);
  std::sort(gt.sorted_.begin(), gt.sorted_.end());
  return gt;
}

bool GroundTruth::Has(int index) const { return !std::isnan(ms_[static_cast<std::size_t>(index)]); }
double GroundTruth::At(int index) const { return ms_[static_cast<std::size_t>(index)]; }
double GroundTruth::Percentile(double q) const { return simnas::Percentile(sorted_, q); }
double GroundTruth::PercentileRank(double ms) const { return simnas::PercentileRank(sorted_, ms); }

GroundTruth MeasureReferenceSample(Device& device, const SearchSpace& space,
                                   const std::vector<const ScoreTable*>& proxies, int top, int random,
                                   std::uint64_t seed, ProbeStore& store) {
  std::vector<int> cells;
  std::set<int> chosen;
  for (const ScoreTable* proxy : proxies) {
    std::vector<int> order(kNumCells);
    std::iota(order.begin(), order.end(), 0);
    std::partial_sort(order.begin(), order.begin() + top, order.end(),
                      [&](int a, int b) { return (*proxy)(a) > (*proxy)(b); });
    for (int i = 0; i < top; ++i) {
      if (chosen.insert(order[static_cast<std::size_t>(i)]).second) cells.push_back(order[static_cast<std::size_t>(i)]);
    }
  }
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> pick(0, kNumCells - 1);
  for (int added = 0; added < random;) {
    const int index = pick(rng);
    if (chosen.insert(index).second) {
      cells.push_back(index);
      ++added;
    }
  }
  const std::string run_id = fmt::format("bench-reference:top={}:random={}:seed={}", top, random, seed);
  const MeasuredSample sample = MeasureSample(device, space, cells, run_id, store, "reference sample");
  return GroundTruth::FromSample(
      sample.measured,
      fmt::format("reference sample of {} cells measured live on {} (top {} by proxy per dataset + {} "
                  "random, seed {}{}), kept in the probe store",
                  sample.measured.size(), device.Spec(), top, random, seed,
                  sample.left_out == 0 ? "" : fmt::format("; {} cells left out: failed three times", sample.left_out)));
}

MeasuredSample MeasureSample(Device& device, const CandidateSet& numbering, const std::vector<int>& indices,
                             const std::string& run_id, ProbeStore& store, const std::string& what) {
  SharedMeasurementDevice shared(device, store, numbering);
  ProbeSession session(shared, numbering, static_cast<int>(indices.size()), nullptr, run_id);
  Progress progress(what + " on " + device.Spec(), static_cast<std::int64_t>(indices.size()), 0,
                    std::string(numbering.space().arch_noun()) + "s");
  MeasuredSample sample;
  // A live device may fail an architecture (too noisy at that moment): the others go on, and
  // the failed ones are tried again after the pass, twice; those that still fail are left out
  // and the caller says how many. A device that answered none is an error, not an empty sample.
  std::string last_problem;
  const std::vector<FailedCell> pending = MeasureInPasses(
      indices, kMeasurePasses,
      [&](int index) {
        ThrowIfInterrupted(what.c_str());
        const ProbeRecord& r = session.Probe(numbering.at(index));
        sample.measured.emplace_back(index, r.measurement.latency_ms);
        progress.Advance(1);
      },
      [&](int, const std::string& reason, int, bool last) {
        spdlog::warn("{}: {} ({})", what, reason, last ? "left out" : "tried again later");
        last_problem = reason;
      });
  progress.Finish(fmt::format("{} measured now, the rest from the probe store", shared.measured()));
  if (sample.measured.empty() && !indices.empty()) {
    throw DeviceError(fmt::format("{} on {}: the device answered none of the {} {}s; last problem: {}", what,
                                  device.Spec(), indices.size(), numbering.space().arch_noun(), last_problem));
  }
  std::sort(sample.measured.begin(), sample.measured.end());
  sample.left_out = static_cast<int>(pending.size());
  sample.measured_now = shared.measured();
  return sample;
}

SharedMeasurementDevice::SharedMeasurementDevice(Device& inner, ProbeStore& store, const CandidateSet& space)
    : inner_(&inner), store_(&store), space_(&space) {
  for (const StoredProbe& p : store.LoadDevice(inner.Fingerprint(), space.space().name())) {
    try {
      known_[space.space().Parse(p.arch)] = p.measurement;
    } catch (const ParseError&) {
      // Not an architecture simnas wrote; ignore it.
    }
  }
}

Measurement SharedMeasurementDevice::Measure(const Arch& arch) {
  if (arch.empty() || &arch.space() != &space_->space()) {
    throw DeviceError(fmt::format("device {} measures {} architectures here, not {}", Spec(),
                                  space_->space().name(), arch.ToString()));
  }
  if (const auto it = known_.find(arch); it != known_.end()) return it->second;
  const Measurement m = inner_->Measure(arch);
  ++measured_;
  store_->Record("bench-shared", inner_->Fingerprint(), inner_->Spec(), arch, space_->IndexOf(arch) < 0 ? -1 : space_->NumberOf(space_->IndexOf(arch)), m);
  known_.emplace(arch, m);
  return m;
}

RunAnswer MeasuredAnswer(const ProbeRecord& chosen, double true_latency_ms, const GroundTruth& gt) {
  RunAnswer answer;
  answer.index = chosen.index;
  answer.arch = chosen.arch.ToString();
  answer.latency_ms = chosen.measurement.latency_ms;
  answer.true_latency_ms = true_latency_ms;
  answer.latency_percentile = gt.PercentileRank(true_latency_ms);
  return answer;
}

}  // namespace simnas
