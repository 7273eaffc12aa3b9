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
  return FromSample(rows, static_cast<int>(table.values().size()), std::move(source));
}

GroundTruth GroundTruth::FromSample(const std::vector<std::pair<int, double>>& measured, int size,
                                    std::string source) {
  GroundTruth gt;
  gt.source_ = std::move(source);
  gt.ms_.assign(static_cast<std::size_t>(size), std::numeric_limits<double>::quiet_NaN());
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

GroundTruth MeasureReferenceSample(Device& device, const CandidateSet& numbering,
                                   const std::vector<const ScoreTable*>& proxies, int top, int random,
                                   std::uint64_t seed, ProbeStore& store) {
  const int n = numbering.size();
  top = std::min(top, n);
  random = std::min(random, n - top);
  std::vector<int> cells;
  std::set<int> chosen;
  for (const ScoreTable* proxy : proxies) {
    std::vector<int> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    std::partial_sort(order.begin(), order.begin() + top, order.end(),
                      [&](int a, int b) { return (*proxy)(a) > (*proxy)(b); });
    for (int i = 0; i < top; ++i) {
      if (chosen.insert(order[static_cast<std::size_t>(i)]).second) cells.push_back(order[static_cast<std::size_t>(i)]);
    }
  }
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> pick(0, n - 1);
  for (int added = 0; added < random && static_cast<int>(chosen.size()) < n;) {
    const int index = pick(rng);
    if (chosen.insert(index).second) {
      cells.push_back(index);
      ++added;
    }
  }
  const std::string run_id = fmt::format("bench-reference:top={}:random={}:seed={}", top, random, seed);
  const MeasuredSample sample = MeasureSample(device, numbering, cells, run_id, store, "reference sample");
  const std::string noun(numbering.space().arch_noun());
  return GroundTruth::FromSample(
      sample.measured, n,
      fmt::format("reference sample of {} {}s measured live on {} (top {} by proxy per dataset + {} "
                  "random, seed {}{}), kept in the probe store",
                  sample.measured.size(), noun, device.Spec(), top, random, seed,
                  sample.left_out == 0 ? "" : fmt::format("; {} {}s left out: failed three times", sample.left_out, noun)));
}

GroundTruth MeasureBudgetReference(Device& device, const CandidateSet& numbering, const ScoreTable& objective,
                                   const std::vector<const LatencyTable*>& train_tables,
                                   const std::vector<double>& percentiles, int top, int random, std::uint64_t seed,
                                   ProbeStore& store, std::vector<double>& budgets_ms) {
  const int n = numbering.size();
  const std::string noun(numbering.space().arch_noun());
  if (random < 3) {
    throw Error(fmt::format("reference sample on {}: reference.random is {}, at least 3 are needed (the budgets "
                            "are their percentiles)",
                            device.Spec(), random));
  }
  const std::string run_id = fmt::format("bench-budget-reference:top={}:random={}:seed={}", top, random, seed);
  // 1. Uniformly random architectures: the budgets.
  std::vector<int> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(seed);
  std::shuffle(order.begin(), order.end(), rng);
  order.resize(static_cast<std::size_t>(std::min(random, n)));
  const MeasuredSample random_part = MeasureSample(device, numbering, order, run_id, store, "reference (random)");
  if (random_part.measured.size() < 3) {
    throw Error(fmt::format("reference sample on {}: only {} of {} random {}s could be measured", device.Spec(),
                            random_part.measured.size(), order.size(), noun));
  }
  std::vector<double> random_ms;
  for (const auto& [index, ms] : random_part.measured) random_ms.push_back(ms);
  budgets_ms.clear();
  for (double q : percentiles) budgets_ms.push_back(Percentile(random_ms, q));
  // 2. Per budget, the best objective among those the best-correlated train table, scaled, puts within it.
  const LatencyTable* predictor = nullptr;
  double best_srcc = -2, scale = 1;
  for (const LatencyTable* t : train_tables) {
    std::vector<double> table_ms;
    for (const auto& [index, ms] : random_part.measured) table_ms.push_back(t->At(index));
    const double srcc = Spearman(random_ms, table_ms);
    if (srcc > best_srcc) {
      best_srcc = srcc;
      predictor = t;
      std::vector<double> ratio;
      for (std::size_t k = 0; k < table_ms.size(); ++k) ratio.push_back(random_ms[k] / table_ms[k]);
      scale = Median(ratio);
    }
  }
  std::set<int> chosen(order.begin(), order.end());
  std::vector<int> by_objective(static_cast<std::size_t>(n));
  std::iota(by_objective.begin(), by_objective.end(), 0);
  std::stable_sort(by_objective.begin(), by_objective.end(),
                   [&](int a, int b) { return objective(a) > objective(b); });
  std::vector<int> best;
  if (predictor != nullptr && top > 0) {
    for (double budget : budgets_ms) {
      int added = 0;
      for (int index : by_objective) {
        if (added == top) break;
        if (predictor->At(index) * scale > budget) continue;
        ++added;
        if (chosen.insert(index).second) best.push_back(index);
      }
    }
  }
  const MeasuredSample best_part = MeasureSample(device, numbering, best, run_id, store, "reference (top)");
  std::vector<std::pair<int, double>> measured = random_part.measured;
  measured.insert(measured.end(), best_part.measured.begin(), best_part.measured.end());
  const int left_out = random_part.left_out + best_part.left_out;
  return GroundTruth::FromSample(
      measured, n,
      fmt::format("reference sample of {} {}s measured live on {}: {} uniformly random (seed {}; the budgets are "
                  "their percentiles) + {} more, the top {} by {} per budget among those predicted within it by "
                  "table {} (SRCC {:.3f} to the random ones, scaled x{:.4g}){}; the best objective within a budget "
                  "is among these measured {}s; kept in the probe store",
                  measured.size(), noun, device.Spec(), random_part.measured.size(), seed, best_part.measured.size(),
                  top, objective.name(), predictor != nullptr ? predictor->name() : "(none)", best_srcc, scale,
                  left_out == 0 ? "" : fmt::format("; {} {}s left out: failed three times", left_out, noun), noun));
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
