// `lut-prior`: a zero-shot latency ranking, verified by probes.
//
// The prior is the mean synthetic device: the op lookup table (fixed part + per-op cost)
// averaged over the train devices' fitted tables (FitOpLatencyModel), i.e. the mean of the
// synthetic-device distribution. It ranks cells by predicted latency without a single
// target measurement, but its milliseconds are not the target's, so the budget cannot be
// mapped zero-shot. The candidates are the Pareto front of (prior latency, proxy score);
// along it proxy rises with prior latency. With a latency budget, probes bisect the front
// for the boundary between measured-feasible and measured-infeasible members (assuming the
// prior ranks like the target), then the remaining probes verify the members above the
// boundary in ranked order: the cell of lowest prior latency among those that would beat
// every feasible cell found, probe after probe. Without a budget,
// the probes are spread evenly along the front.
#pragma once

#include "simnas/strategies/strategy.h"
#include "simnas/latency_model/op_table.h"

namespace simnas {

class LutPriorStrategy : public Strategy {
 public:
  std::string name() const override { return "lut-prior"; }
  void Search(ProbeSession& session, const SearchTask& task, const SearchContext& context) override;
};

// The mean op lookup table of the given complete tables (at least one).
OpLatencyModel MeanOpLatencyModel(const std::vector<const LatencyTable*>& tables, const SearchSpace& space);

}  // namespace simnas
