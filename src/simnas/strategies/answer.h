// The one rule that turns probed cells into an answer. Only measured cells count: failed
// probes (ProbeRecord::failed) are ignored.
//  - With a latency budget: the best proxy score among probed cells whose MEASURED latency
//    is within the budget. If none is, the answer is infeasible (and says so); the fastest
//    probed cell is reported for information.
//  - Without a budget: the paper's reward r = p + (1 - l) with equal weights, where p is the
//    proxy score min-max normalized over the search space and l the measured latency
//    min-max normalized over the probed cells (the only latencies known on an unseen device).
#pragma once

#include <optional>

#include "simnas/probe/probe_session.h"
#include "simnas/proxies/proxy_table.h"
#include "simnas/strategies/strategy.h"

namespace simnas {

struct SearchAnswer {
  bool found = false;     // at least one cell was measured
  bool feasible = false;  // measured latency within the budget (always true without a budget)
  ProbeRecord chosen;
  double proxy = 0;       // raw aggregate proxy score of the chosen cell
  double objective = 0;   // the value the rule maximized
};

SearchAnswer ChooseAnswer(const std::vector<ProbeRecord>& probed, const SearchTask& task, const ProxyScores& proxy);

// Unconstrained reward of a cell given the latency range of the probed cells.
double UnconstrainedReward(double proxy_normalized, double latency_ms, double min_latency_ms, double max_latency_ms);

}  // namespace simnas
