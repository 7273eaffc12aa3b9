#include "simnas/strategies/answer.h"

#include <algorithm>
#include <iterator>
#include <limits>

#include "simnas/core/stats.h"

namespace simnas {

double UnconstrainedReward(double proxy_normalized, double latency_ms, double min_latency_ms, double max_latency_ms) {
  const double span = max_latency_ms - min_latency_ms;
  const double l = span > 0 ? (latency_ms - min_latency_ms) / span : 0.0;
  return proxy_normalized + (1.0 - l);
}

SearchAnswer ChooseAnswer(const std::vector<ProbeRecord>& records, const SearchTask& task, const ProxyScores& proxy) {
  SearchAnswer answer;
  std::vector<ProbeRecord> probed;  // the measured ones: a failed probe has no latency
  std::copy_if(records.begin(), records.end(), std::back_inserter(probed), [](const ProbeRecord& r) { return !r.failed(); });
  if (probed.empty()) return answer;
  answer.found = true;
  if (task.latency_budget_ms) {
    const ProbeRecord* best = nullptr;
    const ProbeRecord* fastest = nullptr;
    for (const ProbeRecord& r : probed) {
      if (fastest == nullptr || r.measurement.latency_ms < fastest->measurement.latency_ms) fastest = &r;
      if (r.measurement.latency_ms > *task.latency_budget_ms) continue;
      // Ties in proxy go to the faster cell, then to the earlier probe.
      if (best == nullptr || proxy(r.index) > proxy(best->index) ||
          (proxy(r.index) == proxy(best->index) && r.measurement.latency_ms < best->measurement.latency_ms)) {
        best = &r;
      }
    }
    answer.feasible = best != nullptr;
    answer.chosen = best != nullptr ? *best : *fastest;
    answer.proxy = proxy(answer.chosen.index);
    answer.objective = answer.feasible ? answer.proxy : -std::numeric_limits<double>::infinity();
    return answer;
  }
  const auto [lo, hi] = RangeOf(probed, [](const ProbeRecord& r) { return r.measurement.latency_ms; });
  const ProbeRecord* best = nullptr;
  double best_reward = -std::numeric_limits<double>::infinity();
  for (const ProbeRecord& r : probed) {
    const double reward = UnconstrainedReward(proxy.Normalized(r.index), r.measurement.latency_ms, lo, hi);
    if (reward > best_reward) {
      best_reward = reward;
      best = &r;
    }
  }
  answer.feasible = true;
  answer.chosen = *best;
  answer.proxy = proxy(best->index);
  answer.objective = best_reward;
  return answer;
}

}  // namespace simnas
