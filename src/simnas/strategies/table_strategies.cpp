#include "simnas/strategies/table_strategies.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "simnas/core/error.h"
#include "simnas/space/candidates.h"

namespace simnas {
namespace {

std::size_t U(int i) { return static_cast<std::size_t>(i); }

// matched-proxy's aim after m probes in a row measured over the budget: budget x 0.8^m until a
// probe fits, budget x 0.97^m after. 0.97 was chosen among {0.8, 0.9, 0.95, 0.97, 0.99} (and the
// earlier rule: the full budget once a probe fits) on the train devices' leave-one-out group
// (p10..p90, docs/fbnet.md), before it was run on the test devices.
constexpr double kAimAfterMiss = 0.8;
constexpr double kAimAfterMissOnceFit = 0.97;

}  // namespace

// `scaled-proxy`. Probing (One Proxy Device's step 5, simplified): the candidates on the Pareto
// front of (predicted latency, objective) in order of predicted latency; first the middle
// member; then, while every measured member is on one side of the budget, the member predicted
// to fit once predictions are rescaled by measured/predicted of the nearest measured member (at
// least one member further); once the budget is bracketed, bisection; once the bracket is
// closed, the unprobed candidates with the best objective predicted to fit (rescaled by the
// highest member measured within the budget), or, when no member fits, the fastest predicted ones.
void ScaledProxyStrategy::Search(ProbeSession& session, const SearchTask& task, const SearchContext& context) {
  const double budget = *task.latency_budget_ms;
  const CandidateSet& candidates = *context.candidates;
  const std::vector<double>& predicted = ProxyDeviceTable(context).values();
  const std::vector<double>& score = context.scores->values();
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
    const ProbeRecord* r = session.TryProbe((candidates.at(front[U(pos)])));
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
    if (session.WasProbed((candidates.at(i)))) continue;
    session.TryProbe((candidates.at(i)));
  }
}
void OneProxyRefitStrategy::Search(ProbeSession& session, const SearchTask& task, const SearchContext& context) {
  const double budget = *task.latency_budget_ms;
  const CandidateSet& candidates = *context.candidates;
  const LatencyTable& proxy = ProxyDeviceTable(context);
  // The proxy's linear model over the candidates, kept for the next search on the same ones.
  if (!model_.IsOf(candidates, proxy)) model_ = LinearProxyModel(candidates, proxy);
  const std::vector<double>& score = context.scores->values();
  const int count = candidates.size();
  std::vector<double> predicted = model_.base();  // the proxy's own scale until the first probe
  std::vector<int> probed_rows;
  std::vector<double> probed_ms;
  std::vector<char> probed(U(count), 0);
  while (session.remaining() > 0) {
    // First: the candidate at the median of the proxy's prediction (its scale is not the target's).
    // (When that probe failed: the pick below, on the proxy's own scale.)
    const int median = MedianCandidate(predicted);
    const int pick = probed_rows.empty() && probed[U(median)] == 0
                         ? median
                         : PickCandidate(predicted, 1.0, budget, score, probed);
    if (pick < 0) return;  // every candidate probed
    const ProbeRecord* r = session.TryProbe((candidates.at(pick)));
    if (r == nullptr) return;
    probed[U(pick)] = 1;
    if (r->failed()) continue;  // no latency to adapt to
    probed_rows.push_back(pick);
    probed_ms.push_back(r->measurement.latency_ms);
    model_.Adapt(probed_rows, probed_ms, predicted);  // AdaProxy on every probe so far
  }
}
void MatchedProxyStrategy::Search(ProbeSession& session, const SearchTask& task, const SearchContext& context) {
  const double budget = *task.latency_budget_ms;
  const CandidateSet& candidates = *context.candidates;
  const std::vector<double>& score = context.scores->values();
  const int count = candidates.size();
  std::vector<const LatencyTable*> tables = context.train_tables;
  const LatencyTable* followed = &ProxyDeviceTable(context);
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
    const int median = MedianCandidate(t);
    const int pick = probed_rows.empty() && probed[U(median)] == 0 ? median
                                                                   : PickCandidate(t, scale, aim, score, probed);
    if (pick < 0) return;
    const ProbeRecord* r = session.TryProbe((candidates.at(pick)));
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
    const TableMatch match = MatchTable(tables, followed, probed_rows, probed_ms);
    followed = match.table;
    scale = std::exp(match.shift);
  }
}
}  // namespace simnas
