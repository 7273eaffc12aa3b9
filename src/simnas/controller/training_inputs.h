// What controller training needs besides its options, from train devices only: the proxy it
// sees, the synthetic-device distribution (fits of the train devices' tables) and the
// controller's cell tables (proxy and prior latency per cell).
#pragma once

#include <string>
#include <vector>

#include "simnas/controller/cell_tables.h"
#include "simnas/spaces/nb201/benchmark_data.h"
#include "simnas/space/score_table.h"
#include "simnas/synthetic/synthetic_distribution.h"

namespace simnas {

struct TrainingInputs {
  ScoreTable proxy;
  SyntheticDistribution distribution;  // shared (op-table) fits
  CellTables tables;
  std::vector<std::string> devices;  // the train devices used
};

// Fits every train device but those in `exclude` (a held-out device or group).
TrainingInputs PrepareTrainingInputs(const BenchmarkData& data, ScoreTable proxy,
                                     const std::vector<std::string>& exclude);

// The op table of a shared fit (fixed part, one cost per op).
OpLatencyModel OpModelOf(const SyntheticLut& shared_fit);

}  // namespace simnas
