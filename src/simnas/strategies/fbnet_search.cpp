#include "simnas/strategies/fbnet_search.h"

#include "simnas/spaces/fbnet/fbnet_space.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <random>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "simnas/core/error.h"
#include "simnas/monotonicity/fbnet_predictors.h"
#include "simnas/strategies/fbnet_controller.h"
#include "simnas/monotonicity/srcc.h"

namespace simnas {

FbnetAnswer ChooseFbnetAnswer(const std::vector<ProbeRecord>& probed, double budget_ms,
                              const FbnetObjective& objective) {
  FbnetAnswer answer;
  const ProbeRecord* best = nullptr;
  const ProbeRecord* fastest = nullptr;
  double best_score = 0;
  for (const ProbeRecord& r : probed) {
    if (r.failed()) continue;  // no latency: not an answer
    if (r.index < 0 || r.index >= static_cast<int>(objective.scores.size())) {
      throw Error(fmt::format("FBNet answer: probed network {} is not one of the {} candidates of objective {}",
                              r.arch.ToString(), objective.scores.size(), objective.name));
    }
    if (fastest == nullptr || r.measurement.latency_ms < fastest->measurement.latency_ms) fastest = &r;
    if (r.measurement.latency_ms > budget_ms) continue;
    const double score = objective(r.index);
    if (best == nullptr || score > best_score ||
        (score == best_score && r.measurement.latency_ms < best->measurement.latency_ms)) {
      best = &r;
      best_score = score;
    }
  }
  if (fastest == nullptr) return answer;  // nothing measured
  answer.found = true;
  answer.feasible = best != nullptr;
  answer.chosen = best != nullptr ? *best : *fastest;
  answer.objective = objective(answer.chosen.index);
  return answer;
}

const LatencyTable& ChooseFbnetProxyTable(const std::vector<const LatencyTable*>& tables) {
  if (tables.empty()) throw Error("FBNet search: no train table to rank the candidates by");
  return *tables[tables.size() == 1 ? 0 : ChooseProxyDevice(tables)];
}

const LatencyTable& FbnetProxyDeviceTable(const FbnetSearchInputs& inputs) {
  return inputs.proxy != nullptr ? *inputs.proxy : ChooseFbnetProxyTable(inputs.train_tables);
}

namespace {

std::size_t U(int i) { return static_cast<std::size_t>(i); }

// `random`: distinct candidates in a seeded random order.
class FbnetRandom : public FbnetStrategy {
 public:
  std::string name() const override { return "random"; }
  void Search(ProbeSession& session, const FbnetSearchInputs& inputs, double /*budget_ms*/,
              std::uint64_t seed) override {
    const int count = inputs.candidates->size();
    std::vector<int> order(U(count));
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 rng(seed);
    // Fisher-Yates from the front, one draw per probe (the modulo keeps it the same everywhere).
    for (int k = 0; k < count && session.remaining() > 0; ++k) {
      const int j = k + static_cast<int>(rng() % static_cast<std::uint64_t>(count - k));
      std::swap(order[U(k)], order[U(j)]);
      if (session.TryProbe(ToArch(inputs.candidates->At(order[U(k)]))) == nullptr) return;
    }
  }
};

// `scaled-proxy`. Probing (One Proxy Device's step 5, simplified): the candidates on the Pareto
// front of (predicted latency, objective) in order of predicted latency; first the middle
// member; then, while every measured member is on one side of the budget, the member predicted
// to fit once predictions are rescaled by measured/predicted of the nearest measured member (at
// least one member further); once the budget is bracketed, bisection; once the bracket is
// closed, the unprobed candidates with the best objective predicted to fit (rescaled by the
// highest member measured within the budget), or, when no member fits, the fastest predicted ones.
class FbnetScaledProxy : public FbnetStrategy {
 public:
  std::string name() const override { return "scaled-proxy"; }
  void Search(ProbeSession& session, const FbnetSearchInputs& inputs, double budget,
              std::uint64_t /*seed*/) override {
    const FbnetNumbering& candidates = *inputs.candidates;
    const std::vector<double>& predicted = FbnetProxyDeviceTable(inputs).values();
    const std::vector<double>& score = inputs.objective->scores;
    const int count = candidates.size();
    // The Pareto front of (lower predicted latency, better objective), by predicted latency.
    std::vector<int> order(U(count));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
      return predicted[U(a)] != predicted[U(b)] ? predicted[U(a)] < predicted[U(b)] : score[U(a)] > score[U(b)];
    });
    std::vector<int> front;
    for (const int i : order) {
      if (front.empty() || score[U(i)] > score[U(front.back())]) front.push_back(i);
    }
    int n = static_cast<int>(front.size());
    const auto pred = [&](int pos) { return predicted[U(front[U(pos)])]; };
    std::map<int, double> measured;  // front position -> measured latency
    const auto ratio_near = [&](int pos) {
      int best = -1;
      for (const auto& [p, ms] : measured) {
        if (best < 0 || std::abs(p - pos) < std::abs(best - pos)) best = p;
      }
      return best < 0 ? 1.0 : measured.at(best) / pred(best);
    };
    int lo = -1, hi = n;  // highest position measured within the budget, lowest measured above it
    while (session.remaining() > 0 && lo + 1 < hi) {
      int pos;
      if (measured.empty()) {
        pos = n / 2;
      } else if (lo >= 0 && hi < n) {
        pos = (lo + hi) / 2;
      } else {
        pos = -1;
        for (int p = lo + 1; p < hi; ++p) {
          if (pred(p) * ratio_near(p) <= budget) pos = p;
        }
        if (hi == n) pos = std::max(pos, lo + 1);  // all measured fit: at least one member further
        if (lo < 0) pos = pos < 0 ? 0 : std::min(pos, hi - 1);
      }
      const ProbeRecord* r = session.TryProbe(ToArch(candidates.At(front[U(pos)])));
      if (r == nullptr) return;
      if (r->failed()) {
        // No latency: the member leaves the front (pos lies strictly between lo and hi, so the
        // members measured above it move down one place).
        front.erase(front.begin() + pos);
        --n;
        --hi;
        std::map<int, double> shifted;
        for (const auto& [p, ms] : measured) shifted.emplace(p > pos ? p - 1 : p, ms);
        measured = std::move(shifted);
        continue;
      }
      measured[pos] = r->measurement.latency_ms;
      if (r->measurement.latency_ms <= budget) lo = pos;
      else hi = pos;
    }
    // Bracket closed: the candidates with the best objective predicted to fit; when nothing
    // measured fits yet, the fastest predicted candidates instead (the ranking may be wrong).
    std::vector<int> rest;
    if (lo >= 0) {
      const double ratio = measured.at(lo) / pred(lo);
      for (int i = 0; i < count; ++i) {
        if (predicted[U(i)] * ratio <= budget) rest.push_back(i);
      }
      std::stable_sort(rest.begin(), rest.end(), [&](int a, int b) { return score[U(a)] > score[U(b)]; });
    } else {
      rest = order;  // by predicted latency
    }
    for (const int i : rest) {
      if (session.remaining() <= 0) return;
      if (session.WasProbed(ToArch(candidates.At(i)))) continue;
      session.TryProbe(ToArch(candidates.At(i)));
    }
  }
};

// `one-proxy`: the proxy table as a linear model on the layer-onehot features, adapted to the
// target by AdaProxy after every probe (see the header).
class FbnetOneProxy : public FbnetStrategy {
 public:
  std::string name() const override { return "one-proxy"; }
  void Search(ProbeSession& session, const FbnetSearchInputs& inputs, double budget,
              std::uint64_t /*seed*/) override {
    const FbnetNumbering& candidates = *inputs.candidates;
    const LatencyTable& proxy = FbnetProxyDeviceTable(inputs);
    // The proxy's linear model over the candidates, kept for the next search on the same ones.
    if (!model_.IsOf(candidates.archs(), proxy)) model_ = FbnetLinearProxy(candidates.archs(), proxy);
    const std::vector<double>& score = inputs.objective->scores;
    const int count = candidates.size();
    std::vector<double> predicted = model_.base();  // the proxy's own scale until the first probe
    std::vector<int> probed_rows;
    std::vector<double> probed_ms;
    std::vector<char> probed(U(count), 0);
    while (session.remaining() > 0) {
      // First: the candidate at the median of the proxy's prediction (its scale is not the target's).
      // (When that probe failed: the pick below, on the proxy's own scale.)
      const int median = MedianFbnetCandidate(predicted);
      const int pick = probed_rows.empty() && probed[U(median)] == 0
                           ? median
                           : PickFbnetCandidate(predicted, 1.0, budget, score, probed);
      if (pick < 0) return;  // every candidate probed
      const ProbeRecord* r = session.TryProbe(ToArch(candidates.At(pick)));
      if (r == nullptr) return;
      probed[U(pick)] = 1;
      if (r->failed()) continue;  // no latency to adapt to
      probed_rows.push_back(pick);
      probed_ms.push_back(r->measurement.latency_ms);
      model_.Adapt(probed_rows, probed_ms, predicted);  // AdaProxy on every probe so far
    }
  }

 private:
  FbnetLinearProxy model_;
};

// matched-proxy's aim after m probes in a row measured over the budget: budget x 0.8^m until a
// probe fits, budget x 0.97^m after. 0.97 was chosen among {0.8, 0.9, 0.95, 0.97, 0.99} (and the
// earlier rule: the full budget once a probe fits) on the train devices' leave-one-out group
// (p10..p90, docs/fbnet.md), before it was run on the test devices.
constexpr double kAimAfterMiss = 0.8;
constexpr double kAimAfterMissOnceFit = 0.97;

// `matched-proxy`: like `one-proxy`, but the table followed is re-chosen after every probe among
// all train tables (MatchFbnetTable), its latencies rescaled. First probe: the proxy device's
// median candidate. Then: the unprobed candidate with the best objective among those predicted
// to fit the aim (none: the fastest predicted).
class FbnetMatchedProxy : public FbnetStrategy {
 public:
  std::string name() const override { return "matched-proxy"; }
  void Search(ProbeSession& session, const FbnetSearchInputs& inputs, double budget,
              std::uint64_t /*seed*/) override {
    const FbnetNumbering& candidates = *inputs.candidates;
    const std::vector<double>& score = inputs.objective->scores;
    const int count = candidates.size();
    std::vector<const LatencyTable*> tables = inputs.train_tables;
    const LatencyTable* followed = &FbnetProxyDeviceTable(inputs);
    if (tables.empty()) tables.push_back(followed);
    std::vector<int> probed_rows;
    std::vector<double> probed_ms;
    std::vector<char> probed(U(count), 0);
    double scale = 1;
    bool any_fits = false;  // a probe measured within the budget
    int misses = 0;         // probes measured over the budget since the last one within it
    while (session.remaining() > 0) {
      const std::vector<double>& t = followed->values();
      // Aim lower after every miss in a row: the answer needs one measured fit, and a table
      // that under-predicts near the budget would otherwise keep missing it.
      const double aim = budget * std::pow(any_fits ? kAimAfterMissOnceFit : kAimAfterMiss, misses);
      const int median = MedianFbnetCandidate(t);
      const int pick = probed_rows.empty() && probed[U(median)] == 0 ? median
                                                                     : PickFbnetCandidate(t, scale, aim, score, probed);
      if (pick < 0) return;
      const ProbeRecord* r = session.TryProbe(ToArch(candidates.At(pick)));
      if (r == nullptr) return;
      probed[U(pick)] = 1;
      if (r->failed()) continue;  // no latency: nothing to aim or match by
      probed_rows.push_back(pick);
      probed_ms.push_back(r->measurement.latency_ms);
      if (r->measurement.latency_ms <= budget) {
        any_fits = true;
        misses = 0;
      } else {
        ++misses;
      }
      // Re-choose the table (with one probe every table fits exactly, so the proxy device stays).
      const FbnetTableMatch match = MatchFbnetTable(tables, followed, probed_rows, probed_ms);
      followed = match.table;
      scale = std::exp(match.shift);
    }
  }
};

}  // namespace

std::vector<std::string> FbnetStrategyNames() {
  return {"scaled-proxy", "one-proxy", "matched-proxy", "controller", "random"};
}

std::unique_ptr<FbnetStrategy> MakeFbnetStrategy(const std::string& name, const FbnetStrategyFiles& files) {
  const std::string resolved = name.empty() || name == "default" ? std::string(kFbnetDefaultStrategy) : name;
  if (resolved == "scaled-proxy") return std::make_unique<FbnetScaledProxy>();
  if (resolved == "one-proxy") return std::make_unique<FbnetOneProxy>();
  if (resolved == "random") return std::make_unique<FbnetRandom>();
  if (resolved == "matched-proxy") return std::make_unique<FbnetMatchedProxy>();
  if (resolved == "controller") return std::make_unique<FbnetControllerStrategy>(files.controller_model);
  throw ParseError(fmt::format("--strategy {}: not an FBNet strategy; under --space fbnet the strategies are: {} "
                               "(default {})",
                               name, fmt::join(FbnetStrategyNames(), ", "), kFbnetDefaultStrategy));
}

FbnetSearchReport RunFbnetSearch(FbnetStrategy& strategy, Device& device, const FbnetSearchInputs& inputs,
                                 double budget_ms, int probe_budget, std::uint64_t seed, ProbeStore* store,
                                 const std::string& run_id, const std::function<void()>& on_ready,
                                 const ProbeObserver& on_probe) {
  const auto start = std::chrono::steady_clock::now();
  if (inputs.candidates == nullptr || inputs.candidates->size() == 0) throw Error("FBNet search: no candidates");
  if (inputs.objective == nullptr) throw Error("FBNet search: no objective to rank the candidates by");
  const int count = inputs.candidates->size();
  if (static_cast<int>(inputs.objective->scores.size()) != count) {
    throw Error(fmt::format("FBNet search: objective {} holds {} scores for {} candidates", inputs.objective->name,
                            inputs.objective->scores.size(), count));
  }
  const LatencyTable& proxy = FbnetProxyDeviceTable(inputs);
  std::vector<const LatencyTable*> tables = inputs.train_tables;
  tables.push_back(&proxy);
  for (const LatencyTable* t : tables) {
    if (static_cast<int>(t->values().size()) != count) {
      throw Error(fmt::format("FBNet search: table {} holds {} latencies for {} candidates", t->name(),
                              t->values().size(), count));
    }
  }
  ProbeSession session(device, *inputs.candidates, probe_budget, store, run_id);
  if (on_ready) on_ready();
  session.set_observer(on_probe);
  strategy.Search(session, inputs, budget_ms, seed);
  session.ThrowIfEveryProbeFailed();

  FbnetSearchReport report;
  report.strategy = strategy.name();
  report.objective = inputs.objective->name;
  report.device = device.Spec();
  report.run_id = run_id;
  report.proxy_device = proxy.name();
  report.candidates = count;
  report.budget_ms = budget_ms;
  report.probe_budget = probe_budget;
  report.probes_used = session.used();
  report.measured_now = session.measured_now();
  report.failed_probes = session.failures();
  report.stopped_reason = session.stopped_reason();
  report.trajectory = session.history();
  for (const ProbeRecord& r : report.trajectory) report.trajectory_objective.push_back((*inputs.objective)(r.index));
  report.answer = ChooseFbnetAnswer(session.measured(), budget_ms, *inputs.objective);
  report.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace simnas
