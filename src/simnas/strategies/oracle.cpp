#include "simnas/strategies/oracle.h"


#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/data/data_dir.h"
#include "simnas/data/latency_table.h"
#include "simnas/strategies/answer.h"

namespace simnas {

int BestWithinBudget(const std::vector<double>& latency, const std::vector<double>& score,
                     const std::optional<double>& latency_budget_ms) {
  const std::size_t n = std::min(latency.size(), score.size());
  int best = -1;
  for (std::size_t i = 0; i < n; ++i) {
    if (!std::isfinite(latency[i]) || !std::isfinite(score[i])) continue;  // unknown cell
    if (latency_budget_ms && !(latency[i] <= *latency_budget_ms)) continue;
    const auto b = static_cast<std::size_t>(best);
    // Ties in score go to the faster cell, then to the lower index (i rises).
    if (best < 0 || score[i] > score[b] || (score[i] == score[b] && latency[i] < latency[b])) {
      best = static_cast<int>(i);
    }
  }
  return best;
}

int OracleIndex(const std::vector<double>& latency, const std::vector<double>& accuracy,
                const std::optional<double>& latency_budget_ms) {
  return BestWithinBudget(latency, accuracy, latency_budget_ms);
}

int ProxyCeilingIndex(const std::vector<double>& latency, const ScoreTable& proxy,
                      const std::optional<double>& latency_budget_ms) {
  if (latency_budget_ms) return BestWithinBudget(latency, proxy.values(), latency_budget_ms);
  const std::size_t n = std::min(latency.size(), proxy.values().size());
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (std::size_t i = 0; i < n; ++i) {
    if (!std::isfinite(latency[i])) continue;
    lo = std::min(lo, latency[i]);
    hi = std::max(hi, latency[i]);
  }
  std::vector<double> reward(n, std::numeric_limits<double>::quiet_NaN());
  for (std::size_t i = 0; i < n; ++i) {
    if (std::isfinite(latency[i])) {
      reward[i] = UnconstrainedReward(proxy.Normalized(static_cast<int>(i)), latency[i], lo, hi);
    }
  }
  return BestWithinBudget(latency, reward, std::nullopt);
}

void OracleStrategy::Search(ProbeSession& session, const SearchTask& task, const SearchContext& context) {
  const LatencyTable* table = session.device().FullTable();
  if (table == nullptr) {
    throw Error(fmt::format("strategy {} needs a device with a complete latency table (table:NAME or a complete "
                            "table file); {} has none",
                            name(), session.device().Spec()));
  }
  if (target_ == OracleTarget::kAccuracy && context.accuracy == nullptr) {
    throw Error(fmt::format("strategy {} needs a measured accuracy, which the {} space has not", name(),
                            context.space().name()));
  }
  // The one place a strategy reads accuracy: a report's bound.
  const int index = target_ == OracleTarget::kProxy
                        ? ProxyCeilingIndex(table->values(), *context.scores, task.latency_budget_ms)
                        : OracleIndex(table->values(), *context.accuracy, task.latency_budget_ms);
  if (index < 0) {
    // Nothing meets the budget: probe the fastest, so the report says infeasible with the
    // smallest latency the device can reach.
    const auto& v = table->values();
    session.TryProbe(context.candidates->at(static_cast<int>(std::min_element(v.begin(), v.end()) - v.begin())));
    return;
  }
  session.TryProbe(context.candidates->at(index));  // the one probe (a session has at least one)
}

}  // namespace simnas
