// The latency models simnas fits, in one folder behind one question: what does this model say
// every cell costs? Each model is fitted its own way (op_table.h: least squares on op counts;
// linear.h: One Proxy Device's linear predictor and AdaProxy's adaptation of it;
// table_mixture.h: a non-negative mix of train tables refitted from probes), but strategies,
// synthetic devices and reports read them all through PredictTable.
//
// (The controller keeps a small op table that it refits inside each episode from its probes
// (controller/episode.h): it lives with the decision process, whose observation it is part of.)
#pragma once

#include <vector>

#include "simnas/spaces/nb201/nats_numbering.h"

namespace simnas {

class LatencyModel {
 public:
  virtual ~LatencyModel() = default;
  // Predicted latency (ms) of every cell of `space`, by NATS-Bench index.
  virtual std::vector<double> PredictTable(const SearchSpace& space) const = 0;
};

}  // namespace simnas
