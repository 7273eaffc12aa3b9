#include "simnas/strategies/answer.h"

#include <limits>

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/core/stats.h"

namespace simnas {

double UnconstrainedReward(double score_normalized, double latency_ms, double min_latency_ms, double max_latency_ms) {
  const double span = max_latency_ms - min_latency_ms;
  const double l = span > 0 ? (latency_ms - min_latency_ms) / span : 0.0;
  return score_normalized + (1.0 - l);
}

SearchAnswer ChooseAnswer(const std::vector<ProbeRecord>& probed, const SearchTask& task, const ScoreTable& scores) {
  SearchAnswer answer;
  std::vector<const ProbeRecord*> measured;
  for (const ProbeRecord& r : probed) {
    if (r.failed()) continue;  // no latency: not an answer
    if (r.index < 0 || r.index >= scores.size()) {
      throw Error(fmt::format("answer: probed {} is not one of the {} candidates of score {}", r.arch.ToString(),
                              scores.size(), scores.name()));
    }
    measured.push_back(&r);
  }
  if (measured.empty()) return answer;
  answer.found = true;
  if (task.latency_budget_ms) {
    const ProbeRecord* best = nullptr;
    const ProbeRecord* fastest = nullptr;
    for (const ProbeRecord* r : measured) {
      if (fastest == nullptr || r->measurement.latency_ms < fastest->measurement.latency_ms) fastest = r;
      if (r->measurement.latency_ms > *task.latency_budget_ms) continue;
      // Ties in score go to the faster candidate, then to the earlier probe.
      if (best == nullptr || scores(r->index) > scores(best->index) ||
          (scores(r->index) == scores(best->index) && r->measurement.latency_ms < best->measurement.latency_ms)) {
        best = r;
      }
    }
    answer.feasible = best != nullptr;
    answer.chosen = best != nullptr ? *best : *fastest;
    answer.score = scores(answer.chosen.index);
    answer.objective = answer.feasible ? answer.score : -std::numeric_limits<double>::infinity();
    return answer;
  }
  double lo = measured.front()->measurement.latency_ms, hi = lo;
  for (const ProbeRecord* r : measured) {
    lo = std::min(lo, r->measurement.latency_ms);
    hi = std::max(hi, r->measurement.latency_ms);
  }
  const ProbeRecord* best = nullptr;
  double best_reward = -std::numeric_limits<double>::infinity();
  for (const ProbeRecord* r : measured) {
    const double reward = UnconstrainedReward(scores.Normalized(r->index), r->measurement.latency_ms, lo, hi);
    if (reward > best_reward) {
      best_reward = reward;
      best = r;
    }
  }
  answer.feasible = true;
  answer.chosen = *best;
  answer.score = scores(best->index);
  answer.objective = best_reward;
  return answer;
}

}  // namespace simnas
