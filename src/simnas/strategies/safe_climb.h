// `safe-climb`: a few-probe strategy for a latency budget (beyond the One Proxy Device paper).
//
// After every probe it refits a cheap model of the target's latency from the probes so far
// (TargetLatencyModel: a non-negative combination of the train devices' tables, or their
// scaled consensus while there are too few probes) and estimates the model's error σ in log
// space from its leave-one-out residuals on the probes, shrunk towards a prior σ0 with the
// weight of `prior_weight` probes. The next probe is the unprobed cell of highest proxy score
// that would beat every measured-feasible cell found so far and is predicted to fit with a
// safety margin: predicted × exp(z σ) ≤ budget. The margin is wide (z_safe) until a
// measured-feasible cell is in hand, narrower (z_climb) afterwards, when a miss costs only
// a probe; it shrinks with σ as the model learns the device. When no cell passes the margin
// and nothing feasible was found, the cell predicted fastest is probed. The search stops
// early when nothing could improve the answer. The first probe, before any target data,
// is the member of the consensus Pareto front (consensus latency, proxy) at the
// `first_quantile` of the consensus latencies.
//
// The answer is still the common rule: the best proxy among MEASURED-feasible cells.
// Without a latency budget the probes are spread along the consensus Pareto front.
#pragma once

#include "simnas/strategies/strategy.h"
#include "simnas/latency_model/table_mixture.h"

namespace simnas {

struct SafeClimbOptions {
  TargetModelOptions model;
  double first_quantile = 0.5;
  double sigma_prior = 0.15;
  double prior_weight = 3;
  double z_safe = 2.0;
  double z_climb = 0.5;
  // Once a feasible cell is in hand: 0 = the highest proxy passing the z_climb margin;
  // 1 = expected improvement, P(fits) × (proxy − best feasible proxy), P from the model's
  // log-normal error.
  int climb_rule = 1;
};

class SafeClimbStrategy : public Strategy {
 public:
  explicit SafeClimbStrategy(SafeClimbOptions options = {}) : options_(options) {}
  std::string name() const override { return "safe-climb"; }
  void Search(ProbeSession& session, const SearchTask& task, const SearchContext& context) override;
  const SafeClimbOptions& options() const { return options_; }

 private:
  SafeClimbOptions options_;
};

}  // namespace simnas
