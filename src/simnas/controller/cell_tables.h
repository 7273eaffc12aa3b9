// What the controller knows about every cell before measuring anything, indexed by
// Cell::Code(): the proxy score (device-independent, from the proxy table) and a latency
// prior (the mean relative op lookup table of the train devices, known at deployment too).
// The prior only says how latency *changes* between cells (log ratios); absolute latencies
// are never taken from it.
#pragma once

#include <vector>

#include "simnas/space/score_table.h"
#include "simnas/spaces/nb201/nats_numbering.h"
#include "simnas/latency_model/op_table.h"

namespace simnas {

struct CellTables {
  std::vector<float> proxy;        // min-max normalized aggregate score, [0, 1]
  std::vector<float> proxy_rank;   // percentile rank of the score, [0, 1]
  std::vector<float> log_prior;    // log of the prior latency (arbitrary unit)
  std::vector<int> index_of_code;  // NATS-Bench index
  std::vector<int> by_proxy;       // codes, best proxy first
  OpLatencyModel prior;            // the relative prior lookup table (every edge counted)

  // `prior` is used for ratios only; its scale does not matter.
  // The best-proxy cell among cells whose prior latency is at most its q-quantile.
  int BestProxyBelowPriorQuantile(double q) const;

  static CellTables Build(const SearchSpace& space, const ScoreTable& proxy, const OpLatencyModel& prior);
};

// The device-independent latency prior: the op lookup tables fitted to `tables` (every
// edge counted), each divided by its mean latency over all cells, then averaged (so that a
// slow device does not outweigh a fast one). At least one table; throws DataError otherwise.
OpLatencyModel RelativePriorModel(const std::vector<OpLatencyModel>& fits);

}  // namespace simnas
