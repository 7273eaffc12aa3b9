// `lut-prior`: a zero-shot latency ranking, verified by probes.
//
// The prior is the mean lookup table of the train devices: a linear model on the space's
// default encoding (NAS-Bench-201: op counts, a fixed part + per-op cost) fitted to each train
// table and averaged. It ranks candidates by predicted latency without a single target
// measurement, but its milliseconds are not the target's, so the budget cannot be mapped
// zero-shot. The probes follow the Pareto front of (prior latency, score); along it the score
// rises with prior latency. With a latency budget, probes bisect the front
// for the boundary between measured-feasible and measured-infeasible members (assuming the
// prior ranks like the target), then the remaining probes verify the members above the
// boundary in ranked order: the candidate of lowest prior latency among those that would beat
// every feasible cell found, probe after probe. Without a budget,
// the probes are spread evenly along the front.
#pragma once

#include "simnas/strategies/strategy.h"
#include "simnas/latency_model/linear.h"

namespace simnas {

class LutPriorStrategy : public Strategy {
 public:
  std::string name() const override { return "lut-prior"; }
  void Search(ProbeSession& session, const SearchTask& task, const SearchContext& context) override;
};

// The mean of the linear models of the given tables (complete, aligned with `candidates`; at
// least one) on `encoding`.
LinearLatencyModel MeanLinearLatencyModel(const std::vector<const LatencyTable*>& tables,
                                          const CandidateSet& candidates, const std::string& encoding);

}  // namespace simnas
