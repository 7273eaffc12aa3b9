// Upper bounds for reports, never a way to search an unseen device: they read the device's
// complete latency table (Device::FullTable) and refuse devices without one.
//  - `oracle`:       the best measured ACCURACY within the latency budget, for spaces that have
//                    one (SearchContext::accuracy). This is the one strategy that reads
//                    accuracy; it does so only here, to give the true upper bound of a report.
//  - `proxy-oracle`: the best SCORE within the budget with exact latencies: the ceiling of any
//                    strategy that ranks by the score (every other strategy).
// Each probes exactly one candidate, its answer, so the common answer rule reports it with its
// measured latency. Without a latency budget the `oracle` answers the best accuracy of the table
// and the `proxy-oracle` maximizes the paper's reward with the latency normalized over the whole
// table (OracleIndex / ProxyCeilingIndex below, one tie-break).
#pragma once

#include <optional>
#include <vector>

#include "simnas/space/score_table.h"
#include "simnas/strategies/strategy.h"

namespace simnas {

enum class OracleTarget { kAccuracy, kProxy };

class OracleStrategy : public Strategy {
 public:
  explicit OracleStrategy(OracleTarget target) : target_(target) {}

  std::string name() const override { return target_ == OracleTarget::kAccuracy ? "oracle" : "proxy-oracle"; }
  StrategyNeeds needs() const override {
    return {.full_table = true, .accuracy = target_ == OracleTarget::kAccuracy};
  }
  // Throws Error when the device has no complete table, or (oracle) accuracy is unavailable.
  void Search(ProbeSession& session, const SearchTask& task, const SearchContext& context) override;

 private:
  OracleTarget target_;
};

// Task references: the one place the oracle and the proxy ceiling of a task are chosen (the
// `oracle`/`proxy-oracle` strategies, the benchmark's task references, EvaluateOnTables).
// `latency` is the device's true latency by candidate index; NaN marks an unknown one
// (a live device's reference sample), which is never chosen.
//
// The one tie-break: among the known cells that meet the budget (every known cell without a
// budget) the highest `score` wins; ties in score go to the faster cell, then to the lower
// index. Cells whose score is not finite are skipped. Returns -1 when no cell qualifies.
int BestWithinBudget(const std::vector<double>& latency, const std::vector<double>& score,
                     const std::optional<double>& latency_budget_ms);

// The oracle: the best ACCURACY within the budget (without a budget: the best accuracy of
// any known candidate). `accuracy` by candidate index.
int OracleIndex(const std::vector<double>& latency, const std::vector<double>& accuracy,
                const std::optional<double>& latency_budget_ms);

// The proxy ceiling: the best PROXY score within the budget; without a budget the paper's
// unconstrained reward p + 1 - l (p = proxy.Normalized, l = latency normalized over the known
// cells' range, UnconstrainedReward), with the same tie-break.
int ProxyCeilingIndex(const std::vector<double>& latency, const ScoreTable& proxy,
                      const std::optional<double>& latency_budget_ms);

}  // namespace simnas
