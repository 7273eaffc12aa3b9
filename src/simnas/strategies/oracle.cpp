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

int OracleIndex(const std::vector<double>& latency, const std::vector<double>& score,
                const std::optional<double>& latency_budget_ms) {
  const std::size_t n = std::min(latency.size(), score.size());
  int best = -1;
  if (latency_budget_ms) {
    for (std::size_t i = 0; i < n; ++i) {
      if (!(latency[i] <= *latency_budget_ms)) continue;
      const auto b = static_cast<std::size_t>(best);
      // Ties in score go to the faster cell, then to the lower index.
      if (best < 0 || score[i] > score[b] || (score[i] == score[b] && latency[i] < latency[b])) {
        best = static_cast<int>(i);
      }
    }
    return best;
  }
  double lat_lo = std::numeric_limits<double>::infinity(), lat_hi = -lat_lo;
  double sc_lo = std::numeric_limits<double>::infinity(), sc_hi = -sc_lo;
  for (std::size_t i = 0; i < n; ++i) {
    lat_lo = std::min(lat_lo, latency[i]);
    lat_hi = std::max(lat_hi, latency[i]);
    if (std::isfinite(score[i])) {
      sc_lo = std::min(sc_lo, score[i]);
      sc_hi = std::max(sc_hi, score[i]);
    }
  }
  double best_reward = -std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < n; ++i) {
    const double p = sc_hi > sc_lo && std::isfinite(score[i]) ? (score[i] - sc_lo) / (sc_hi - sc_lo) : 0.0;
    const double reward = UnconstrainedReward(p, latency[i], lat_lo, lat_hi);
    if (reward > best_reward) {
      best_reward = reward;
      best = static_cast<int>(i);
    }
  }
  return best;
}

void OracleStrategy::Search(ProbeSession& session, const SearchTask& task, const SearchContext& context) {
  const LatencyTable* table = session.device().FullTable();
  if (table == nullptr) {
    throw Error(fmt::format("strategy {} needs a device with a complete latency table (table:NAME or a complete "
                            "table file); {} has none",
                            name(), session.device().Spec()));
  }
  const std::vector<double>* score = nullptr;
  std::shared_ptr<const AccuracyTable> keep;  // keeps a loaded table alive for this search
  if (target_ == OracleTarget::kProxy) {
    score = &context.proxy->values();
  } else if (accuracy_ != nullptr && accuracy_->dataset == task.dataset) {
    score = &accuracy_->test_accuracy;  // the one place a strategy reads accuracy: a report's bound
  } else {
    const std::lock_guard lock(mutex_);
    if (loaded_ == nullptr || loaded_->dataset != task.dataset) {
      loaded_ = std::make_shared<const AccuracyTable>(
          LoadAccuracyTable(DataDir(data_dir_).AccuracyFile(task.dataset), task.dataset));
    }
    keep = loaded_;
    score = &keep->test_accuracy;
  }
  const int index = OracleIndex(table->values(), *score, task.latency_budget_ms);
  if (index < 0) {
    // No cell meets the budget: probe the fastest, so the report says infeasible with the
    // smallest latency the device can reach.
    const auto& v = table->values();
    session.Probe(context.space->CellAt(static_cast<int>(std::min_element(v.begin(), v.end()) - v.begin())));
    return;
  }
  session.Probe(context.space->CellAt(index));
}

}  // namespace simnas
