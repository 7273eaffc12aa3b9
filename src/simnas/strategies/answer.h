// The one rule that turns probed candidates into an answer, for every strategy and space. Only
// measured candidates count: failed probes (ProbeRecord::failed) are ignored.
//  - With a latency budget: the best score among probed candidates whose MEASURED latency is
//    within the budget (ties: the faster, then the earlier probe). If none is, the answer is
//    infeasible (and says so); the fastest probed candidate is reported for information.
//  - Without a budget: the paper's reward r = p + (1 - l) with equal weights, where p is the
//    score min-max normalized over the candidates and l the measured latency min-max
//    normalized over the probed candidates (the only latencies known on an unseen device).
#pragma once

#include <vector>

#include "simnas/probe/probe_session.h"
#include "simnas/space/score_table.h"
#include "simnas/strategies/strategy.h"

namespace simnas {

struct SearchAnswer {
  bool found = false;     // at least one candidate was measured
  bool feasible = false;  // measured latency within the budget (always true without a budget)
  ProbeRecord chosen;
  double score = 0;       // the chosen candidate's score
  double objective = 0;   // the value the rule maximized (-inf for an infeasible answer)
};

// Every record must be a candidate of `scores` (index in [0, scores.size())); Error otherwise.
SearchAnswer ChooseAnswer(const std::vector<ProbeRecord>& probed, const SearchTask& task, const ScoreTable& scores);

// Unconstrained reward of a candidate given the latency range of the probed ones.
double UnconstrainedReward(double score_normalized, double latency_ms, double min_latency_ms, double max_latency_ms);

}  // namespace simnas
