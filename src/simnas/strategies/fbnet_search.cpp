#include "simnas/strategies/fbnet_search.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/monotonicity/srcc.h"
#include "simnas/search_space/fbnet/fbnet_cost.h"

namespace simnas {

FbnetAnswer ChooseFbnetAnswer(const std::vector<ProbeRecord>& probed, double budget_ms) {
  FbnetAnswer answer;
  if (probed.empty()) return answer;
  answer.found = true;
  const ProbeRecord* best = nullptr;
  const ProbeRecord* fastest = nullptr;
  std::int64_t best_madds = 0;
  for (const ProbeRecord& r : probed) {
    if (fastest == nullptr || r.measurement.latency_ms < fastest->measurement.latency_ms) fastest = &r;
    if (r.measurement.latency_ms > budget_ms) continue;
    const std::int64_t madds = FbnetMultiplyAdds(r.arch.fbnet());
    if (best == nullptr || madds > best_madds ||
        (madds == best_madds && r.measurement.latency_ms < best->measurement.latency_ms)) {
      best = &r;
      best_madds = madds;
    }
  }
  answer.feasible = best != nullptr;
  answer.chosen = best != nullptr ? *best : *fastest;
  answer.multiply_adds = FbnetMultiplyAdds(answer.chosen.arch.fbnet());
  return answer;
}

namespace {

void Search(ProbeSession& session, const FbnetNumbering& candidates, const std::vector<double>& predicted,
            const std::vector<std::int64_t>& madds, double budget) {
  const int count = candidates.size();
  // The Pareto front of (lower predicted latency, more multiply-adds), by predicted latency.
  std::vector<int> order(static_cast<std::size_t>(count));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    const auto ua = static_cast<std::size_t>(a), ub = static_cast<std::size_t>(b);
    return predicted[ua] != predicted[ub] ? predicted[ua] < predicted[ub] : madds[ua] > madds[ub];
  });
  std::vector<int> front;
  for (const int i : order) {
    if (front.empty() || madds[static_cast<std::size_t>(i)] > madds[static_cast<std::size_t>(front.back())]) {
      front.push_back(i);
    }
  }
  const int n = static_cast<int>(front.size());
  const auto pred = [&](int pos) { return predicted[static_cast<std::size_t>(front[static_cast<std::size_t>(pos)])]; };
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
    const ProbeRecord* r = session.TryProbe(candidates.At(front[static_cast<std::size_t>(pos)]));
    if (r == nullptr) return;
    measured[pos] = r->measurement.latency_ms;
    if (r->measurement.latency_ms <= budget) lo = pos;
    else hi = pos;
  }
  // Bracket closed: the candidates with the most multiply-adds predicted to fit; when nothing
  // measured fits yet, the fastest predicted candidates instead (the ranking may be wrong).
  std::vector<int> rest;
  if (lo >= 0) {
    const double ratio = measured.at(lo) / pred(lo);
    for (int i = 0; i < count; ++i) {
      if (predicted[static_cast<std::size_t>(i)] * ratio <= budget) rest.push_back(i);
    }
    std::stable_sort(rest.begin(), rest.end(), [&](int a, int b) {
      return madds[static_cast<std::size_t>(a)] > madds[static_cast<std::size_t>(b)];
    });
  } else {
    rest = order;  // by predicted latency
  }
  for (const int i : rest) {
    if (session.remaining() <= 0) return;
    if (session.WasProbed(candidates.At(i))) continue;
    session.TryProbe(candidates.At(i));
  }
}

}  // namespace

FbnetSearchReport RunFbnetSearch(Device& device, const FbnetSearchInputs& inputs, double budget_ms,
                                 int probe_budget, ProbeStore* store, const std::string& run_id,
                                 const std::function<void()>& on_ready) {
  const auto start = std::chrono::steady_clock::now();
  if (inputs.candidates == nullptr || inputs.candidates->size() == 0) throw Error("FBNet search: no candidates");
  if (inputs.train_tables.empty()) throw Error("FBNet search: no train table to rank the candidates by");
  const LatencyTable& proxy = *inputs.train_tables[inputs.train_tables.size() == 1
                                                       ? 0
                                                       : ChooseProxyDevice(inputs.train_tables)];
  if (static_cast<int>(proxy.values().size()) != inputs.candidates->size()) {
    throw Error(fmt::format("FBNet search: table {} holds {} latencies for {} candidates", proxy.name(),
                            proxy.values().size(), inputs.candidates->size()));
  }
  std::vector<std::int64_t> madds;
  madds.reserve(inputs.candidates->archs().size());
  for (const FbnetArch& a : inputs.candidates->archs()) madds.push_back(FbnetMultiplyAdds(a));

  ProbeSession session(device, *inputs.candidates, probe_budget, store, run_id);
  if (on_ready) on_ready();
  Search(session, *inputs.candidates, proxy.values(), madds, budget_ms);

  FbnetSearchReport report;
  report.device = device.Spec();
  report.run_id = run_id;
  report.proxy_device = proxy.name();
  report.candidates = inputs.candidates->size();
  report.budget_ms = budget_ms;
  report.probe_budget = probe_budget;
  report.probes_used = session.used();
  report.measured_now = session.measured_now();
  report.trajectory = session.history();
  for (const ProbeRecord& r : report.trajectory) report.trajectory_multiply_adds.push_back(FbnetMultiplyAdds(r.arch.fbnet()));
  report.answer = ChooseFbnetAnswer(session.history(), budget_ms);
  report.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace simnas
